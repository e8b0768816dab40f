// The simulated Jira: one site's projects and tickets, generated from the seed (generate.ts) and
// changed through the control API. Jira Cloud (`/jira-cloud`) and Jira Data Center (`/jira-dc`)
// are two views of it, so a change made through either shows on both.
import { generateProjects } from './generate.ts';
import { people, type JiraUser } from './people.ts';
import { PRIORITIES, PROJECT_ISSUE_TYPES, resolutionOf, type IssueType, type Priority, type Resolution, type Status, type Workflow } from './workflow.ts';

export const CLOUD_PREFIX = '/jira-cloud';
export const DC_PREFIX = '/jira-dc';

export interface JiraProject {
	index: number;
	id: string;
	key: string;
	name: string;
	description: string;
	lead: JiraUser;
	workflow: Workflow;
	issueTypes: IssueType[];
	/** In key order; deleted tickets are gone. */
	tickets: Ticket[];
	/** The number the next ticket gets (keys are never reused). */
	nextNumber: number;
}

/** One field's change within a history. */
export type ChangeItem =
	| { field: 'status'; from: Status; to: Status }
	| { field: 'assignee'; from: JiraUser | null; to: JiraUser | null }
	| { field: 'priority'; from: Priority; to: Priority }
	| { field: 'resolution'; from: Resolution | null; to: Resolution | null }
	| { field: 'storyPoints'; from: number | null; to: number | null }
	| { field: 'summary'; from: string; to: string };

/** A changelog entry: who changed what, when. */
export interface History {
	id: number;
	author: JiraUser;
	/** Epoch ms. */
	created: number;
	items: ChangeItem[];
}

export interface Ticket {
	id: number;
	project: JiraProject;
	number: number;
	key: string;
	type: IssueType;
	summary: string;
	priority: Priority;
	assignee: JiraUser | null;
	reporter: JiraUser;
	/** Epoch ms. */
	created: number;
	updated: number;
	status: Status;
	/** When the status last moved to another category (Cloud's `statuscategorychangedate`). */
	statusCategoryChanged: number;
	/** Set on entering a done status, cleared on leaving. */
	resolutiondate: number | null;
	/** Story and Bug only; null when not estimated. */
	storyPoints: number | null;
	/** A sub-task's parent. */
	parent: Ticket | null;
	subtasks: Ticket[];
	/** Oldest first. */
	histories: History[];
}

export interface JiraModelOptions {
	seed: number;
	projects: number;
	/** Tickets per project. */
	tickets: number;
}

export interface TicketInput {
	summary?: string;
	type?: IssueType;
	priority?: Priority;
	assignee?: JiraUser | null;
	reporter?: JiraUser;
}

export interface TicketEdit {
	summary?: string;
	assignee?: JiraUser | null;
	priority?: Priority;
}

export class JiraModel {
	readonly options: JiraModelOptions;
	readonly users: JiraUser[];
	/** The token owner, `sim-user`. */
	readonly viewer: JiraUser;
	/** The account without Browse Projects. */
	readonly nonBrowser: JiraUser;
	readonly projects: JiraProject[];
	/** Bumped by every change: search results are cached per version. */
	version = 0;
	readonly #byId = new Map<number, Ticket>();
	readonly #byKey = new Map<string, Ticket>();
	#nextTicketId: number;
	#nextHistoryId: number;

	constructor(options: JiraModelOptions, now = Date.now()) {
		this.options = options;
		this.users = people(options.seed);
		this.viewer = this.users[0]!;
		this.nonBrowser = this.users.find((u) => !u.browses)!;
		const generated = generateProjects({ ...options, users: this.users.filter((u) => u.browses), now });
		this.projects = generated.projects;
		this.#nextTicketId = generated.nextTicketId;
		this.#nextHistoryId = generated.nextHistoryId;
		for (const project of this.projects) for (const ticket of project.tickets) this.#index(ticket);
	}

	#index(ticket: Ticket): void {
		this.#byId.set(ticket.id, ticket);
		this.#byKey.set(ticket.key, ticket);
	}

	/** By key (any case) or id. */
	project(ref: string): JiraProject | undefined {
		const upper = ref.toUpperCase();
		return this.projects.find((p) => p.key === upper || p.id === ref);
	}

	/** By key (any case) or id. */
	ticket(ref: string): Ticket | undefined {
		return /^\d+$/.test(ref) ? this.#byId.get(Number(ref)) : this.#byKey.get(ref.toUpperCase());
	}

	/** Projects this user may browse. */
	browsable(user: JiraUser): JiraProject[] {
		return user.browses ? this.projects : [];
	}

	/** A user by username, account id, email or display name. */
	user(ref: string): JiraUser | undefined {
		const lower = ref.toLowerCase();
		return this.users.find((u) => u.name === lower || u.accountId === ref || u.email === lower || u.displayName.toLowerCase() === lower);
	}

	/** A change's time: now, and always after the ticket's last change (histories stay in order). */
	#at(ticket: Ticket): number {
		return Math.max(Date.now(), ticket.updated + 1);
	}

	#record(ticket: Ticket, author: JiraUser, at: number, items: ChangeItem[]): History {
		const history: History = { id: this.#nextHistoryId++, author, created: at, items };
		ticket.histories.push(history);
		ticket.updated = at;
		this.version++;
		return history;
	}

	createTicket(project: JiraProject, input: TicketInput, author: JiraUser): Ticket {
		const now = Date.now();
		const number = project.nextNumber++;
		const type = input.type ?? PROJECT_ISSUE_TYPES[0]!;
		const ticket: Ticket = {
			id: this.#nextTicketId++,
			project,
			number,
			key: `${project.key}-${number}`,
			type,
			summary: input.summary ?? `New ${type.name.toLowerCase()} ${number}`,
			priority: input.priority ?? PRIORITIES[2]!,
			assignee: input.assignee ?? null,
			reporter: input.reporter ?? author,
			created: now,
			updated: now,
			status: project.workflow.statuses[0]!,
			statusCategoryChanged: now,
			resolutiondate: null,
			storyPoints: null,
			parent: null,
			subtasks: [],
			histories: []
		};
		project.tickets.push(ticket);
		this.#index(ticket);
		this.version++;
		return ticket;
	}

	/** Moves a ticket to `status`: a history with the status item (and the resolution's, when it changes). */
	transition(ticket: Ticket, status: Status, author: JiraUser): History {
		const at = this.#at(ticket);
		const items: ChangeItem[] = [{ field: 'status', from: ticket.status, to: status }];
		const before = resolutionOf(ticket.status);
		const after = resolutionOf(status);
		if (before !== after) items.push({ field: 'resolution', from: before, to: after });
		if (ticket.status.category !== status.category) ticket.statusCategoryChanged = at;
		if (after && !before) ticket.resolutiondate = at;
		if (!after) ticket.resolutiondate = null;
		ticket.status = status;
		return this.#record(ticket, author, at, items);
	}

	/** Edits fields; null when nothing changed. */
	edit(ticket: Ticket, edit: TicketEdit, author: JiraUser): History | null {
		const items: ChangeItem[] = [];
		if (edit.summary !== undefined && edit.summary !== ticket.summary) {
			items.push({ field: 'summary', from: ticket.summary, to: edit.summary });
			ticket.summary = edit.summary;
		}
		if (edit.assignee !== undefined && edit.assignee !== ticket.assignee) {
			items.push({ field: 'assignee', from: ticket.assignee, to: edit.assignee });
			ticket.assignee = edit.assignee;
		}
		if (edit.priority !== undefined && edit.priority !== ticket.priority) {
			items.push({ field: 'priority', from: ticket.priority, to: edit.priority });
			ticket.priority = edit.priority;
		}
		return items.length === 0 ? null : this.#record(ticket, author, this.#at(ticket), items);
	}

	/** Deletes a ticket and its sub-tasks, as Jira does. */
	delete(ticket: Ticket): Ticket[] {
		const gone = [ticket, ...ticket.subtasks];
		for (const t of gone) {
			t.project.tickets = t.project.tickets.filter((x) => x !== t);
			this.#byId.delete(t.id);
			this.#byKey.delete(t.key);
		}
		if (ticket.parent) ticket.parent.subtasks = ticket.parent.subtasks.filter((x) => x !== ticket);
		this.version++;
		return gone;
	}
}
