// The simulated Jira's objects as each site's REST API writes them: users, projects, statuses,
// issue types and changelog histories. A View says which site is answering, where it was
// reached and whose clock the times are written on.
import { jiraTime } from './time.ts';
import type { Flavour } from './flavour.ts';
import type { ChangeItem, History, JiraProject } from './model.ts';
import type { JiraUser } from './people.ts';
import type { JiraHistoryJson, JiraProjectJson, JiraStatusJson, JiraUserJson } from './types.ts';
import type { IssueType, Priority, Resolution, Status } from './workflow.ts';

export interface View {
	flavour: Flavour;
	/** The site's base URL: `http://127.0.0.1:P/jira-cloud`. */
	base: string;
	/** The REST root: `<base>/rest/api/3`. */
	api: string;
	/** The time zone times are written in: the caller's profile's (UTC in webhooks). */
	zone: string;
}

export function view(flavour: Flavour, base: string, zone: string): View {
	return { flavour, base, api: `${base}/rest/api/${flavour.apiVersions[0]}`, zone };
}

export const time = (v: View, ms: number) => jiraTime(ms, v.zone);

function avatarUrls(v: View, kind: 'user' | 'project', id: string) {
	const path = kind === 'user' ? `secure/useravatar?ownerId=${encodeURIComponent(id)}` : `secure/projectavatar?pid=${id}`;
	return {
		'48x48': `${v.base}/${path}&size=large`,
		'24x24': `${v.base}/${path}&size=small`,
		'16x16': `${v.base}/${path}&size=xsmall`,
		'32x32': `${v.base}/${path}&size=medium`
	};
}

/**
 * A person as the site shows them. Cloud names them by account id and, by the default privacy
 * settings, shows an email address only to its owner; Data Center by username and key, with email.
 */
export function userJson(v: View, user: JiraUser, self = false): JiraUserJson {
	if (v.flavour.name === 'cloud') {
		return {
			self: `${v.api}/user?accountId=${encodeURIComponent(user.accountId)}`,
			accountId: user.accountId,
			...(self ? { emailAddress: user.email } : {}),
			avatarUrls: avatarUrls(v, 'user', user.accountId),
			displayName: user.displayName,
			active: true,
			timeZone: v.flavour.zone(user),
			accountType: 'atlassian'
		};
	}
	return {
		self: `${v.api}/user?username=${encodeURIComponent(user.name)}`,
		name: user.name,
		key: user.key,
		emailAddress: user.email,
		avatarUrls: avatarUrls(v, 'user', user.key),
		displayName: user.displayName,
		active: true,
		timeZone: v.flavour.zone(user)
	};
}

/** A project as lists and issues show it. */
export function projectJson(v: View, project: JiraProject): JiraProjectJson {
	const base = {
		self: `${v.api}/project/${project.id}`,
		id: project.id,
		key: project.key,
		name: project.name,
		avatarUrls: avatarUrls(v, 'project', project.id),
		projectTypeKey: 'software'
	};
	return v.flavour.name === 'cloud' ? { expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight', ...base, simplified: false, style: 'classic', isPrivate: false, properties: {} } : { expand: 'description,lead,url,projectKeys', ...base, archived: false };
}

/** `GET /project/{key}`: with its description, lead and issue types. */
export function projectDetailJson(v: View, project: JiraProject): JiraProjectJson {
	return {
		...projectJson(v, project),
		description: project.description,
		lead: userJson(v, project.lead),
		issueTypes: project.issueTypes.map((type) => issueTypeJson(v, type)),
		assigneeType: 'UNASSIGNED',
		projectKeys: [project.key]
	};
}

export function statusJson(v: View, status: Status): JiraStatusJson {
	const category = status.category;
	return {
		self: `${v.api}/status/${status.id}`,
		description: status.description,
		iconUrl: `${v.base}/images/icons/statuses/generic.png`,
		name: status.name,
		...(v.flavour.name === 'cloud' ? { untranslatedName: status.name } : {}),
		id: status.id,
		statusCategory: { self: `${v.api}/statuscategory/${category.id}`, id: category.id, key: category.key, colorName: category.colorName, name: category.name }
	};
}

export function issueTypeJson(v: View, type: IssueType) {
	return {
		self: `${v.api}/issuetype/${type.id}`,
		id: type.id,
		description: type.description,
		iconUrl: `${v.base}/secure/viewavatar?size=medium&avatarId=${type.avatarId}&avatarType=issuetype`,
		name: type.name,
		subtask: type.subtask,
		avatarId: type.avatarId,
		...(v.flavour.name === 'cloud' ? { hierarchyLevel: type.hierarchyLevel } : {})
	};
}

export function priorityJson(v: View, priority: Priority) {
	return { self: `${v.api}/priority/${priority.id}`, iconUrl: `${v.base}/images/icons/priorities/${priority.name.toLowerCase()}.svg`, name: priority.name, id: priority.id };
}

export function resolutionJson(v: View, resolution: Resolution | null) {
	return resolution && { self: `${v.api}/resolution/${resolution.id}`, id: resolution.id, description: resolution.description, name: resolution.name };
}

/** One changed field. Cloud names the field's id in `fieldId` too; Data Center does not. */
export function itemJson(v: View, item: ChangeItem) {
	const cloud = v.flavour.name === 'cloud';
	const jira = (field: string, from: string | null, fromString: string | null, to: string | null, toString: string | null) => ({ field, fieldtype: 'jira', ...(cloud ? { fieldId: field } : {}), from, fromString, to, toString });
	switch (item.field) {
		case 'status':
			return jira('status', item.from.id, item.from.name, item.to.id, item.to.name);
		case 'resolution':
			return jira('resolution', item.from?.id ?? null, item.from?.name ?? null, item.to?.id ?? null, item.to?.name ?? null);
		case 'priority':
			return jira('priority', item.from.id, item.from.name, item.to.id, item.to.name);
		case 'summary':
			return jira('summary', null, item.from, null, item.to);
		case 'assignee': {
			// Cloud names people by account id; Data Center by user key.
			const ref = (user: JiraUser | null) => (user === null ? null : cloud ? user.accountId : user.key);
			const entry = jira('assignee', ref(item.from), item.from?.displayName ?? null, ref(item.to), item.to?.displayName ?? null);
			return cloud ? { ...entry, tmpFromAccountId: ref(item.from), tmpToAccountId: ref(item.to) } : entry;
		}
		case 'storyPoints': {
			const field = v.flavour.storyPoints;
			const text = (n: number | null) => (n === null ? null : String(n));
			return { field: field.name, fieldtype: 'custom', ...(cloud ? { fieldId: field.id } : {}), from: null, fromString: text(item.from), to: null, toString: text(item.to) };
		}
	}
}

export function historyJson(v: View, history: History, items = history.items): JiraHistoryJson {
	return { id: String(history.id), author: userJson(v, history.author), created: time(v, history.created), items: items.map((item) => itemJson(v, item)) };
}
