// `GET /mypermissions`: what the caller may do. `sim-user` browses every project and works on
// issues; `sim-viewer` may sign in and pick users but nothing more. Cloud requires the
// `permissions` parameter; Data Center answers every permission without it.
import { jiraError, projectNotFound, issueNotFound } from './http.ts';
import type { JiraModel } from './model.ts';
import type { JiraUser } from './people.ts';
import type { JiraPermissionJson, JiraPermissions } from './types.ts';
import type { FlavourName } from './flavour.ts';

interface PermissionSpec {
	id: string;
	key: string;
	name: string;
	type: 'PROJECT' | 'GLOBAL';
	description: string;
	/** Granted to users who browse projects (the others get only global user picking). */
	worker: boolean;
}

const PERMISSIONS: PermissionSpec[] = [
	{ id: '0', key: 'ADMINISTER', name: 'Administer Jira', type: 'GLOBAL', description: 'Create and administer projects, issue types, fields, workflows, and schemes for all projects.', worker: false },
	{ id: '27', key: 'USER_PICKER', name: 'Browse users and groups', type: 'GLOBAL', description: 'View and select users or groups from the user picker, and share issues.', worker: true },
	{ id: '10', key: 'BROWSE_PROJECTS', name: 'Browse Projects', type: 'PROJECT', description: 'Ability to browse projects and the issues within them.', worker: true },
	{ id: '11', key: 'CREATE_ISSUES', name: 'Create Issues', type: 'PROJECT', description: 'Ability to create issues.', worker: true },
	{ id: '12', key: 'EDIT_ISSUES', name: 'Edit Issues', type: 'PROJECT', description: 'Ability to edit issues.', worker: true },
	{ id: '46', key: 'TRANSITION_ISSUES', name: 'Transition Issues', type: 'PROJECT', description: 'Ability to transition issues.', worker: true },
	{ id: '13', key: 'ASSIGN_ISSUES', name: 'Assign Issues', type: 'PROJECT', description: 'Ability to assign issues to other people.', worker: true },
	{ id: '23', key: 'ADMINISTER_PROJECTS', name: 'Administer Projects', type: 'PROJECT', description: 'Ability to administer a project in Jira.', worker: false },
	{ id: '29', key: 'VIEW_DEV_TOOLS', name: 'View Development Tools', type: 'PROJECT', description: 'Allows users to view development-related information on the issue.', worker: true }
];

export function myPermissions(flavour: FlavourName, model: JiraModel, user: JiraUser, query: URLSearchParams): JiraPermissions {
	const raw = query.get('permissions');
	if (raw === null || raw.trim() === '') {
		if (flavour === 'cloud') throw jiraError(400, "The 'permissions' query parameter is required.");
	}
	const keys = raw === null || raw.trim() === '' ? PERMISSIONS.map((p) => p.key) : raw.split(',').map((k) => k.trim()).filter(Boolean);
	// A project or issue narrows the question; one the caller cannot see is not found.
	const projectRef = query.get('projectKey') ?? query.get('projectId');
	if (projectRef !== null) {
		const project = model.project(projectRef);
		if (!project || !model.browsable(user).includes(project)) throw projectNotFound(projectRef);
	}
	const issueRef = query.get('issueKey') ?? query.get('issueId');
	if (issueRef !== null) {
		const ticket = model.ticket(issueRef);
		if (!ticket || !model.browsable(user).includes(ticket.project)) throw issueNotFound();
	}
	const permissions: Record<string, JiraPermissionJson> = {};
	for (const key of keys) {
		const spec = PERMISSIONS.find((p) => p.key === key.toUpperCase());
		if (!spec) throw jiraError(400, `The permission key '${key}' is not valid.`);
		permissions[spec.key] = { id: spec.id, key: spec.key, name: spec.name, type: spec.type, description: spec.description, havePermission: spec.worker && (user.browses || spec.type === 'GLOBAL') };
	}
	return { permissions };
}
