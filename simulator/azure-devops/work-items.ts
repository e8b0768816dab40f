// Azure Boards work items: generated from the seed for every project of every organisation (ids
// count up across the organisation in creation order, as Azure DevOps hands them out), each with
// its history of revisions, and changed through the control API. A revision records the fields it
// changed (`{oldValue?, newValue?}`); its first one sets them all. Generated times end at the start
// of today (UTC), spread over the past six months, and some work items share a ChangedDate second
// (a few the very millisecond), as clients syncing by ChangedDate must cope with.
import { randomFor } from '../github/hash.ts';
import type { SeededRandom } from '../../scripts/seeded-random.ts';
import type { AzureIdentity, AzureOrganization, AzureProject } from './model.ts';
import { AGILE, reasonOf, SCRUM, type ProcessTemplate, type StateCategory, type StateDef, type WorkItemTypeDef } from './processes.ts';

/** A field's value as the simulator keeps it: dates are epoch ms, identities the identity. */
export type FieldValue = string | number | AzureIdentity;

export interface FieldChange {
	oldValue?: FieldValue;
	newValue?: FieldValue;
}

export interface WorkItemRevision {
	/** 1 for the creation. */
	rev: number;
	/** Epoch ms: the revision's System.ChangedDate. */
	at: number;
	by: AzureIdentity;
	/** The fields this revision changed (a cleared field has no newValue). */
	changes: Record<string, FieldChange>;
}

export interface WorkItemRecord {
	id: number;
	project: AzureProject;
	type: WorkItemTypeDef;
	/** The current values (unset fields are absent). */
	fields: Map<string, FieldValue>;
	/** Oldest first. */
	revisions: WorkItemRevision[];
	/** Epoch ms when it went to the recycle bin; null while it lives. */
	deleted: number | null;
}

/** What a change sets; `undefined` leaves a field alone, `null` clears it. */
export interface WorkItemIntent {
	state?: StateDef;
	title?: string;
	assignedTo?: AzureIdentity | null;
	priority?: number;
	estimate?: number | null;
}

export interface WorkItemProjectStats {
	/** `{organization}/{project}`. */
	project: string;
	id: string;
	process: ProcessTemplate['name'];
	/** Live work items (not in the recycle bin). */
	workItems: number;
	/** Work items in the recycle bin. */
	deleted: number;
	/** Revisions of live work items, creations included. */
	revisions: number;
	/** Revisions of live work items that moved System.State from one state to another (the creation's initial state is not one). */
	stateTransitions: number;
	byState: Record<string, number>;
	byCategory: Partial<Record<StateCategory, number>>;
	byType: Record<string, number>;
}

export const DEFAULT_WORK_ITEMS = 60;
/** Azure DevOps's cap on a flat WIQL result. */
export const DEFAULT_WIQL_LIMIT = 20_000;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SPAN = 182 * DAY;
/** The share of work items last changed in the same second as the one generated before. */
const SAME_SECOND = 0.15;
/** Of those, the share changed in the very same millisecond. */
const SAME_MILLISECOND = 0.2;
const STORY_POINTS = [1, 2, 3, 5, 8, 13];

const VERBS = ['Fix', 'Add', 'Remove', 'Refactor', 'Document', 'Speed up', 'Migrate', 'Test', 'Design', 'Review', 'Harden', 'Localise'];
const THINGS = ['sign-in redirect', 'CSV export', 'search filters', 'billing page', 'service hook retries', 'onboarding flow', 'audit log', 'rate limiter', 'dark mode', 'release notes', 'cache warm-up', 'API paging', 'backlog view', 'deploy pipeline'];

function weighted<T>(rng: SeededRandom, options: Array<[T, number]>): T {
	let r = rng.next() * options.reduce((sum, [, w]) => sum + w, 0);
	for (const [value, w] of options) if ((r -= w) < 0) return value;
	return options[options.length - 1]![0];
}

const sameValue = (a: FieldValue | undefined, b: FieldValue | undefined) => (typeof a === 'object' && typeof b === 'object' ? a.id === b.id : a === b);

/** A work item's first revision: every field set. */
function created(process: ProcessTemplate, project: AzureProject, type: WorkItemTypeDef, id: number, initial: WorkItemIntent, at: number, by: AzureIdentity): WorkItemRecord {
	const start = type.states[0]!;
	const values: Array<[string, FieldValue | undefined]> = [
		['System.Id', id],
		['System.AreaPath', project.name],
		['System.TeamProject', project.name],
		['System.IterationPath', project.name],
		['System.WorkItemType', type.name],
		['System.State', start.name],
		['System.Reason', process.newReason(type)],
		['System.AssignedTo', initial.assignedTo ?? undefined],
		['System.CreatedDate', at],
		['System.CreatedBy', by],
		['System.ChangedDate', at],
		['System.ChangedBy', by],
		['System.Title', initial.title ?? `New ${type.name.toLowerCase()}`],
		['Microsoft.VSTS.Common.StateChangeDate', at],
		['Microsoft.VSTS.Common.Priority', initial.priority ?? 2],
		[type.estimate ?? '', type.estimate ? (initial.estimate ?? undefined) : undefined],
		['System.Rev', 1]
	];
	const fields = new Map<string, FieldValue>();
	const changes: Record<string, FieldChange> = {};
	for (const [name, value] of values) {
		if (value === undefined) continue;
		fields.set(name, value);
		changes[name] = { newValue: value };
	}
	return { id, project, type, fields, revisions: [{ rev: 1, at, by, changes }], deleted: null };
}

/** Applies a change as a new revision at `at`; null when it changes nothing. */
function revise(process: ProcessTemplate, item: WorkItemRecord, intent: WorkItemIntent, at: number, by: AzureIdentity): WorkItemRevision | null {
	const content: Record<string, FieldChange> = {};
	const set = (name: string, value: FieldValue | undefined) => {
		const old = item.fields.get(name);
		if (sameValue(old, value)) return;
		content[name] = { ...(old === undefined ? {} : { oldValue: old }), ...(value === undefined ? {} : { newValue: value }) };
		if (value === undefined) item.fields.delete(name);
		else item.fields.set(name, value);
	};
	if (intent.title !== undefined) set('System.Title', intent.title);
	if (intent.assignedTo !== undefined) set('System.AssignedTo', intent.assignedTo ?? undefined);
	if (intent.priority !== undefined) set('Microsoft.VSTS.Common.Priority', intent.priority);
	if (intent.estimate !== undefined && item.type.estimate) set(item.type.estimate, intent.estimate ?? undefined);
	const current = item.type.states.find((s) => s.name === item.fields.get('System.State'))!;
	const to = intent.state;
	if (to && to.name !== current.name) {
		set('System.State', to.name);
		set('System.Reason', reasonOf(process, current, to));
		set('Microsoft.VSTS.Common.StateChangeDate', at);
		// Entering a Completed state sets ClosedDate, leaving it clears it; Resolved alike for ResolvedDate (Agile).
		if (to.category === 'Completed' && current.category !== 'Completed') set('Microsoft.VSTS.Common.ClosedDate', at);
		if (to.category !== 'Completed') set('Microsoft.VSTS.Common.ClosedDate', undefined);
		if (to.category === 'Resolved' && current.category !== 'Resolved') set('Microsoft.VSTS.Common.ResolvedDate', at);
		if (to.category === 'Proposed' || to.category === 'InProgress' || to.category === 'Removed') set('Microsoft.VSTS.Common.ResolvedDate', undefined);
	}
	if (Object.keys(content).length === 0) return null;
	const rev = item.revisions.length + 1;
	const changes: Record<string, FieldChange> = { 'System.Rev': { oldValue: rev - 1, newValue: rev } };
	item.fields.set('System.Rev', rev);
	Object.assign(changes, content);
	changes['System.ChangedDate'] = { oldValue: item.fields.get('System.ChangedDate')!, newValue: at };
	item.fields.set('System.ChangedDate', at);
	const changedBy = item.fields.get('System.ChangedBy') as AzureIdentity;
	if (changedBy.id !== by.id) changes['System.ChangedBy'] = { oldValue: changedBy, newValue: by };
	item.fields.set('System.ChangedBy', by);
	const revision: WorkItemRevision = { rev, at, by, changes };
	item.revisions.push(revision);
	return revision;
}

/** One generated work item before its id: what it starts as and the changes after. */
interface Draft {
	project: AzureProject;
	projectIndex: number;
	order: number;
	type: WorkItemTypeDef;
	created: number;
	creator: AzureIdentity;
	initial: WorkItemIntent;
	steps: Array<{ intent: WorkItemIntent; at: number; by: AzureIdentity }>;
}

/** The states a work item moves through after its first, ending where it is now. */
function statePath(rng: SeededRandom, type: WorkItemTypeDef): StateDef[] {
	const of = (category: StateCategory) => type.states.filter((s) => s.category === category);
	const proposed = of('Proposed');
	const progress = of('InProgress');
	const resolved = of('Resolved');
	const completed = of('Completed');
	const removed = of('Removed');
	const final = weighted<StateCategory>(
		rng,
		[
			['Proposed', 24],
			['InProgress', 20],
			['Resolved', resolved.length ? 10 : 0],
			['Completed', 38],
			['Removed', removed.length ? 8 : 0]
		].filter(([, w]) => (w as number) > 0) as Array<[StateCategory, number]>
	);
	// Proposed states after the first (Scrum's Approved) are sometimes skipped.
	const laterProposed = proposed.slice(1).filter(() => rng.next() < 0.6);
	if (final === 'Proposed') return rng.next() < 0.1 ? [...progress.slice(0, 1), proposed[0]!] : laterProposed;
	if (final === 'Removed') return rng.next() < 0.5 ? [removed[0]!] : [...progress.slice(0, 1), removed[0]!];
	const path = [...laterProposed, ...progress];
	if (final === 'InProgress') return path;
	// Resolved on the way to done, most of the time; sometimes sent back to work once.
	if (resolved.length && (final === 'Resolved' || rng.next() < 0.6)) path.push(resolved[0]!);
	if (final === 'Completed') path.push(completed[0]!);
	if (rng.next() < 0.2) path.push(progress[0]!, path.at(-1)!);
	return path;
}

function draftItem(rng: SeededRandom, process: ProcessTemplate, project: AzureProject, projectIndex: number, order: number, changed: number, workers: AzureIdentity[]): Draft {
	const type = weighted(rng, process.types.map((t) => [t, t.weight] as [WorkItemTypeDef, number]));
	const pick = () => rng.pick(workers);
	const creator = pick();
	const title = `${rng.pick(VERBS)} ${rng.pick(THINGS)}`;
	const priority = weighted(rng, [[1, 10], [2, 50], [3, 30], [4, 10]] as Array<[number, number]>);
	const assignee = rng.next() < 0.2 ? null : pick();
	const estimate = type.estimate && rng.next() < 0.75 ? rng.pick(STORY_POINTS) : null;
	const path = statePath(rng, type);

	const initial: WorkItemIntent = { title, priority, assignedTo: null, estimate: null };
	type Step = { intent: WorkItemIntent; by: AzureIdentity };
	const steps: Step[] = [];
	let holder: AzureIdentity | null = null;
	// Assigned at creation, sometimes.
	if (assignee && rng.next() < 0.35) initial.assignedTo = holder = assignee;
	if (estimate !== null && rng.next() < 0.5) initial.estimate = estimate;
	for (const state of path) {
		const intent: WorkItemIntent = { state };
		// Starting work assigns it, when it is not yet.
		if (state.category === 'InProgress' && holder === null && assignee !== null) intent.assignedTo = holder = assignee;
		steps.push({ intent, by: holder ?? pick() });
	}
	const insert = (step: Step) => steps.splice(rng.int(0, steps.length), 0, step);
	if (holder === null && assignee !== null) insert({ intent: { assignedTo: assignee }, by: creator });
	else if (assignee !== null && rng.next() < 0.15) {
		// Handed over: someone else had it first.
		const others = workers.filter((w) => w !== assignee);
		const first = others.length > 0 ? rng.pick(others) : assignee;
		if (initial.assignedTo) initial.assignedTo = first;
		else steps.find((s) => s.intent.assignedTo)!.intent.assignedTo = first;
		steps.push({ intent: { assignedTo: assignee }, by: first });
	}
	if (rng.next() < 0.15) {
		initial.title = `${title} (draft)`;
		insert({ intent: { title }, by: creator });
	}
	if (rng.next() < 0.15) {
		initial.priority = priority === 2 ? 3 : 2;
		insert({ intent: { priority }, by: creator });
	}
	if (estimate !== null && initial.estimate === null) insert({ intent: { estimate }, by: holder ?? creator });

	// Times: the last change is ChangedDate; the others fall between the creation and it.
	let createdAt = steps.length === 0 ? changed : changed - rng.int(HOUR, 60 * DAY);
	const times = steps.map((_, i) => (i === steps.length - 1 ? changed : createdAt + 1 + Math.floor(rng.next() * (changed - createdAt - 1))));
	times.sort((a, b) => a - b);
	for (let i = times.length - 2; i >= 0; i--) if (times[i]! >= times[i + 1]!) times[i] = times[i + 1]! - 1;
	if (times.length > 0 && times[0]! <= createdAt) createdAt = times[0]! - 1;
	return { project, projectIndex, order, type, created: createdAt, creator, initial, steps: steps.map((s, i) => ({ ...s, at: times[i]! })) };
}

interface OrganizationBoard {
	items: Map<number, WorkItemRecord>;
	nextId: number;
}

export interface BoardsOptions {
	seed: number;
	organizations: AzureOrganization[];
	/** Who creates and works on generated work items. */
	workers: AzureIdentity[];
	/** Work items per project. */
	perProject: number;
	now?: number;
}

export class AzureBoards {
	readonly perProject: number;
	/** The flat WIQL result cap (20,000; the control API lowers it for tests). */
	wiqlLimit = DEFAULT_WIQL_LIMIT;
	readonly #boards = new Map<string, OrganizationBoard>();
	readonly #process = new Map<string, ProcessTemplate>();
	readonly #byProject = new Map<string, WorkItemRecord[]>();

	constructor(options: BoardsOptions) {
		this.perProject = options.perProject;
		// Generated time ends at the start of today (UTC): nothing lies in the future, and a day's runs agree.
		const anchor = Math.floor((options.now ?? Date.now()) / DAY) * DAY;
		options.organizations.forEach((organization, o) => {
			const drafts: Draft[] = [];
			organization.projects.forEach((project, p) => {
				// The first organisation's second project (`acme/Platform`) uses Scrum; every other project Agile.
				const process = o === 0 && p === 1 ? SCRUM : AGILE;
				this.#process.set(project.id, process);
				this.#byProject.set(project.id, []);
				const rng = randomFor(options.seed, 0xb0a0, organization.org.id, p);
				let previous = anchor - 1;
				for (let j = 0; j < options.perProject; j++) {
					let changed: number;
					if (j > 0 && rng.next() < SAME_SECOND) changed = rng.next() < SAME_MILLISECOND ? previous : Math.min(anchor - 1, Math.floor(previous / 1000) * 1000 + rng.int(0, 999));
					else changed = anchor - 1 - Math.floor(rng.next() * SPAN);
					previous = changed;
					drafts.push(draftItem(randomFor(options.seed, 0xb0a1, organization.org.id, p, j), process, project, p, j, changed, options.workers));
				}
			});
			// Ids count up across the organisation in creation order.
			drafts.sort((a, b) => a.created - b.created || a.projectIndex - b.projectIndex || a.order - b.order);
			const board: OrganizationBoard = { items: new Map(), nextId: drafts.length + 1 };
			drafts.forEach((draft, i) => {
				const process = this.#process.get(draft.project.id)!;
				const item = created(process, draft.project, draft.type, i + 1, draft.initial, draft.created, draft.creator);
				for (const step of draft.steps) revise(process, item, step.intent, step.at, step.by);
				board.items.set(item.id, item);
				this.#byProject.get(draft.project.id)!.push(item);
			});
			this.#boards.set(organization.id, board);
		});
		for (const items of this.#byProject.values()) items.sort((a, b) => a.id - b.id);
	}

	processOf(project: AzureProject): ProcessTemplate {
		return this.#process.get(project.id) ?? AGILE;
	}

	/** A project's live work items, by id. */
	items(project: AzureProject): WorkItemRecord[] {
		return (this.#byProject.get(project.id) ?? []).filter((item) => item.deleted === null);
	}

	/** Every live work item of an organisation, by id. */
	organizationItems(organization: AzureOrganization): WorkItemRecord[] {
		return organization.projects.flatMap((p) => this.items(p)).sort((a, b) => a.id - b.id);
	}

	/** A work item by id, recycle bin included. */
	find(organization: AzureOrganization, id: number): WorkItemRecord | undefined {
		return this.#boards.get(organization.id)?.items.get(id);
	}

	/** A live work item by id. */
	item(organization: AzureOrganization, id: number): WorkItemRecord | undefined {
		const item = this.find(organization, id);
		return item && item.deleted === null ? item : undefined;
	}

	typeOf(project: AzureProject, name: string): WorkItemTypeDef | undefined {
		return this.processOf(project).types.find((t) => t.name.toLowerCase() === name.toLowerCase());
	}

	/** A new work item in its type's first state, now. */
	create(project: AzureProject, type: WorkItemTypeDef, initial: WorkItemIntent, by: AzureIdentity): WorkItemRecord {
		const board = this.#boards.get(project.organization.id)!;
		const item = created(this.processOf(project), project, type, board.nextId++, initial, Date.now(), by);
		board.items.set(item.id, item);
		this.#byProject.get(project.id)!.push(item);
		return item;
	}

	/** A new revision now (after the last one); null when the change changes nothing. */
	update(item: WorkItemRecord, intent: WorkItemIntent, by: AzureIdentity): WorkItemRevision | null {
		const at = Math.max(Date.now(), item.revisions.at(-1)!.at + 1);
		return revise(this.processOf(item.project), item, intent, at, by);
	}

	/** To the recycle bin: gone from WIQL, batches and reads. */
	delete(item: WorkItemRecord): void {
		item.deleted = Date.now();
	}

	stats(): WorkItemProjectStats[] {
		const out: WorkItemProjectStats[] = [];
		for (const board of this.#boards.values()) {
			const projects = new Map<string, WorkItemProjectStats>();
			for (const item of board.items.values()) {
				const project = item.project;
				let stats = projects.get(project.id);
				if (!stats) {
					stats = { project: `${project.organization.name}/${project.name}`, id: project.id, process: this.processOf(project).name, workItems: 0, deleted: 0, revisions: 0, stateTransitions: 0, byState: {}, byCategory: {}, byType: {} };
					projects.set(project.id, stats);
				}
				if (item.deleted !== null) {
					stats.deleted++;
					continue;
				}
				const state = String(item.fields.get('System.State'));
				const category = item.type.states.find((s) => s.name === state)!.category;
				stats.workItems++;
				stats.revisions += item.revisions.length;
				stats.stateTransitions += item.revisions.filter((r) => r.changes['System.State']?.oldValue !== undefined).length;
				stats.byState[state] = (stats.byState[state] ?? 0) + 1;
				stats.byCategory[category] = (stats.byCategory[category] ?? 0) + 1;
				stats.byType[item.type.name] = (stats.byType[item.type.name] ?? 0) + 1;
			}
			out.push(...projects.values());
		}
		return out;
	}
}
