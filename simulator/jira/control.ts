// The Jira side of the control API (`/_simulator/jira/{cloud|dc}/…`): changes to tickets (each
// delivered to the webhooks that want it), webhooks and their deliveries, and the truth about
// what the sites show, for comparing a client's counts with. Changes go to the one model both
// sites show; `{cloud|dc}` picks the dialect of the answer and whose requests `stats` counts.
import { ControlError, str, strings, type Body, type ControlRoute } from '../shared/control.ts';
import { selectFields } from './fields.ts';
import { FLAVOURS, type FlavourName } from './flavour.ts';
import { issueJson } from './issues.ts';
import { historyJson, view } from './json.ts';
import { JIRA_WEBHOOK_EVENTS, type IssueEvent, type JiraDelivery, type JiraWebhookEvent, type JiraWebhooks } from './webhooks.ts';
import { CATEGORIES, PRIORITIES, type CategoryKey } from './workflow.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { History, JiraModel, Ticket } from './model.ts';
import type { JiraUser } from './people.ts';
import type { Searcher } from './search.ts';

export interface JiraControlContext {
	model: JiraModel;
	searcher: Searcher;
	webhooks: JiraWebhooks;
	counters: Record<FlavourName, RequestCounters>;
	/** The plain HTTP origin: where answers and payloads point. */
	origin: () => string;
}

export interface JiraProjectStats {
	project: string;
	id: string;
	name: string;
	tickets: number;
	/** Changelog entries, of any field. */
	histories: number;
	/** Changelog entries that change the status (one status item each). */
	statusHistories: number;
	/** Tickets per current status name. */
	byStatus: Record<string, number>;
	byCategory: Record<CategoryKey, number>;
}

export interface JiraStats {
	projects: JiraProjectStats[];
	/** This site's requests. */
	requests: RequestCounters;
}

function siteOf(params: Record<string, string>): FlavourName {
	if (params.site !== 'cloud' && params.site !== 'dc') throw new ControlError(404, `No Jira site ${params.site}: cloud or dc.`);
	return params.site;
}

export function jiraControlRoutes(context: JiraControlContext): ControlRoute[] {
	const { model, webhooks, searcher } = context;
	const root = '/_simulator/jira/:site';

	const issue = (site: FlavourName, ticket: Ticket) => {
		const flavour = FLAVOURS[site];
		return issueJson(view(flavour, `${context.origin()}${flavour.prefix}`, 'UTC'), ticket, selectFields(flavour, undefined, 'all'));
	};
	const history = (site: FlavourName, entry: History) => {
		const flavour = FLAVOURS[site];
		return historyJson(view(flavour, `${context.origin()}${flavour.prefix}`, 'UTC'), entry);
	};
	const ticketOf = (params: Record<string, string>): Ticket => {
		const ticket = model.ticket(params.key ?? '');
		if (!ticket) throw new ControlError(404, `No issue ${params.key}.`);
		return ticket;
	};
	const userOf = (body: Body, name: string, fallback: JiraUser): JiraUser => {
		const ref = str(body, name);
		if (ref === undefined) return fallback;
		const user = model.user(ref);
		if (!user) throw new ControlError(400, `No user ${ref}: a username, account id or email.`);
		return user;
	};
	const priorityOf = (body: Body) => {
		const ref = str(body, 'priority');
		if (ref === undefined) return undefined;
		const priority = PRIORITIES.find((p) => p.id === ref || p.name.toLowerCase() === ref.toLowerCase());
		if (!priority) throw new ControlError(400, `No priority ${ref}: one of ${PRIORITIES.map((p) => p.name).join(', ')}.`);
		return priority;
	};
	const assigneeOf = (body: Body): JiraUser | null | undefined => (body.assignee === null ? null : body.assignee === undefined ? undefined : userOf(body, 'assignee', model.viewer));
	/** Whether a webhook's JQL finds the ticket, asked as `sim-user` would on the webhook's site. */
	const finder = (ticket: Ticket) => {
		const found = new Map<string, boolean>();
		return (webhook: { site: FlavourName; jql: string | null }) => {
			const key = `${webhook.site}\u0000${webhook.jql}`;
			if (!found.has(key)) found.set(key, webhook.jql === null || searcher.search(FLAVOURS[webhook.site], model.viewer, webhook.jql).tickets.includes(ticket));
			return found.get(key)!;
		};
	};
	const deliver = (change: IssueEvent): Promise<JiraDelivery[]> => webhooks.emit(change, context.origin(), finder(change.ticket));

	return [
		{
			method: 'GET',
			path: `${root}/stats`,
			handle: (params) => {
				const site = siteOf(params);
				const projects: JiraProjectStats[] = model.projects.map((project) => {
					const byStatus: Record<string, number> = Object.fromEntries(project.workflow.statuses.map((s) => [s.name, 0]));
					const byCategory = Object.fromEntries(Object.keys(CATEGORIES).map((k) => [k, 0])) as Record<CategoryKey, number>;
					let histories = 0;
					let statusHistories = 0;
					for (const ticket of project.tickets) {
						byStatus[ticket.status.name] = (byStatus[ticket.status.name] ?? 0) + 1;
						byCategory[ticket.status.category.key]++;
						histories += ticket.histories.length;
						for (const h of ticket.histories) if (h.items.some((item) => item.field === 'status')) statusHistories++;
					}
					return { project: project.key, id: project.id, name: project.name, tickets: project.tickets.length, histories, statusHistories, byStatus, byCategory };
				});
				const stats: JiraStats = { projects, requests: context.counters[site] };
				return stats;
			}
		},
		{
			method: 'POST',
			path: `${root}/projects/:key/issues`,
			handle: async (params, body) => {
				const site = siteOf(params);
				const project = model.project(params.key ?? '');
				if (!project) throw new ControlError(404, `No project ${params.key}.`);
				const typeRef = str(body, 'type');
				const type = typeRef === undefined ? undefined : project.issueTypes.find((t) => t.id === typeRef || t.name.toLowerCase() === typeRef.toLowerCase());
				if (typeRef !== undefined && !type) throw new ControlError(400, `No issue type ${typeRef} in ${project.key}.`);
				if (type?.subtask) throw new ControlError(400, 'Sub-tasks are not made through the control API.');
				const author = userOf(body, 'user', model.viewer);
				const ticket = model.createTicket(project, { summary: str(body, 'summary'), type, priority: priorityOf(body), assignee: assigneeOf(body), reporter: userOf(body, 'reporter', author) }, author);
				const deliveries = await deliver({ event: 'jira:issue_created', type: 'issue_created', ticket, author });
				return { issue: issue(site, ticket), deliveries };
			}
		},
		{
			method: 'POST',
			path: `${root}/issues/:key/transitions`,
			handle: async (params, body) => {
				const site = siteOf(params);
				const ticket = ticketOf(params);
				const ref = str(body, 'status');
				if (!ref) throw new ControlError(400, 'Give "status": a status name or id of the issue’s workflow.');
				const status = ticket.project.workflow.statuses.find((s) => s.id === ref || s.name.toLowerCase() === ref.toLowerCase());
				if (!status) throw new ControlError(400, `No status ${ref} in ${ticket.project.key}'s workflow: ${ticket.project.workflow.statuses.map((s) => s.name).join(', ')}.`);
				if (status === ticket.status) throw new ControlError(409, `${ticket.key} is already ${status.name}.`);
				const author = userOf(body, 'user', model.viewer);
				const entry = model.transition(ticket, status, author);
				const deliveries = await deliver({ event: 'jira:issue_updated', type: 'issue_generic', ticket, author, history: entry });
				return { issue: issue(site, ticket), history: history(site, entry), deliveries };
			}
		},
		{
			method: 'PATCH',
			path: `${root}/issues/:key`,
			handle: async (params, body) => {
				const site = siteOf(params);
				const ticket = ticketOf(params);
				const author = userOf(body, 'user', model.viewer);
				const entry = model.edit(ticket, { summary: str(body, 'summary'), assignee: assigneeOf(body), priority: priorityOf(body) }, author);
				if (!entry) return { issue: issue(site, ticket), history: null, deliveries: [] };
				const assignedOnly = entry.items.every((item) => item.field === 'assignee');
				const deliveries = await deliver({ event: 'jira:issue_updated', type: assignedOnly ? 'issue_assigned' : 'issue_updated', ticket, author, history: entry });
				return { issue: issue(site, ticket), history: history(site, entry), deliveries };
			}
		},
		{
			method: 'DELETE',
			path: `${root}/issues/:key`,
			handle: async (params, body) => {
				siteOf(params);
				const ticket = ticketOf(params);
				const author = userOf(body, 'user', model.viewer);
				// Jira deletes the sub-tasks with it and tells of each deletion: sub-tasks first, then the ticket.
				const doomed = [...ticket.subtasks, ticket];
				// Which webhooks' JQL finds each ticket is settled while it is still there.
				const matches = doomed.map((t) => {
					const finds = finder(t);
					return new Map([...webhooks.list('cloud'), ...webhooks.list('dc')].map((w) => [w.id, finds(w)]));
				});
				const gone = model.delete(ticket);
				const deliveries = [];
				for (const [index, t] of doomed.entries()) {
					const change: IssueEvent = { event: 'jira:issue_deleted', type: 'issue_deleted', ticket: t, author };
					deliveries.push(...(await webhooks.emit(change, context.origin(), (w) => matches[index]!.get(w.id) ?? false)));
				}
				return { deleted: gone.map((t) => t.key), deliveries };
			}
		},
		{ method: 'GET', path: `${root}/webhooks`, handle: (params) => webhooks.list(siteOf(params)) },
		{
			method: 'POST',
			path: `${root}/webhooks`,
			handle: (params, body) => {
				const site = siteOf(params);
				const url = str(body, 'url');
				if (!url) throw new ControlError(400, 'Give "url".');
				const events = strings(body, 'events');
				const unknown = events?.find((e) => !JIRA_WEBHOOK_EVENTS.includes(e as JiraWebhookEvent));
				if (unknown) throw new ControlError(400, `No event ${unknown}: one of ${JIRA_WEBHOOK_EVENTS.join(', ')}.`);
				const jql = str(body, 'jql');
				if (jql !== undefined) {
					try {
						searcher.search(FLAVOURS[site], model.viewer, jql);
					} catch (error) {
						throw new ControlError(400, `The webhook's JQL is refused: ${error instanceof Error ? error.message : String(error)}`);
					}
				}
				return webhooks.register(site, { url, secret: str(body, 'secret'), events: events as JiraWebhookEvent[] | undefined, jql });
			}
		},
		{
			method: 'GET',
			path: `${root}/deliveries`,
			handle: (params, _body, query) => {
				const webhookId = query.get('webhookId');
				return webhooks.deliveries(siteOf(params), webhookId === null ? undefined : Number(webhookId));
			}
		},
		{
			method: 'POST',
			path: `${root}/deliveries/:number/redeliver`,
			handle: async (params) => {
				const delivery = await webhooks.redeliver(siteOf(params), Number(params.number));
				if (!delivery) throw new ControlError(404, `No delivery ${params.number}.`);
				return delivery;
			}
		}
	];
}
