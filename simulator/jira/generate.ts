// Generates the projects and tickets of the simulated Jira from the seed, cheaply enough for
// thousands of tickets per project. Every ticket's history is a walk through its project's
// workflow that ends in its current status, with the assignee, priority, story point and
// resolution changes Jira records alongside. Updated times spread over the past five months
// and some tickets share a minute, as JQL (minute precision) clients must cope with.
import { randomFor } from '../github/hash.ts';
import type { SeededRandom } from '../../scripts/seeded-random.ts';
import type { JiraUser } from './people.ts';
import type { ChangeItem, History, JiraProject, Ticket } from './model.ts';
import { floorMinute, DAY, HOUR } from './time.ts';
import { ISSUE_TYPES, PRIORITIES, PROJECT_ISSUE_TYPES, RELEASE_WORKFLOW, resolutionOf, STANDARD_WORKFLOW, STATUSES, type IssueType, type Status } from './workflow.ts';

const KEYS = ['CORE', 'WEB', 'OPS', 'DATA', 'MOBILE'];
const NAMES = ['Core Platform', 'Web App', 'Operations', 'Data Pipeline', 'Mobile Apps'];
/** The project (by index) that uses the release workflow. */
const RELEASE_PROJECT = 2;
/** Generated tickets were last updated within this span before the anchor. */
const SPAN = 150 * DAY;
/** The share of tickets last updated in the same minute as another. */
const TIES = 0.15;
/** Every this many tickets, one churns between In Progress and In Review more than 40 times. */
const CHURN_EVERY = 25;
const STORY_POINTS = [1, 2, 3, 5, 8, 13];

const VERBS = ['Fix', 'Add', 'Remove', 'Refactor', 'Document', 'Speed up', 'Migrate', 'Test', 'Design', 'Review'];
const THINGS = ['login redirect', 'CSV export', 'search filters', 'billing page', 'webhook retries', 'onboarding flow', 'audit log', 'rate limiter', 'dark mode', 'release notes', 'cache warm-up', 'API pagination'];

export interface GenerateOptions {
	seed: number;
	projects: number;
	tickets: number;
	/** Who works on tickets (never the account without Browse Projects). */
	users: JiraUser[];
	now: number;
}

export interface Generated {
	projects: JiraProject[];
	nextTicketId: number;
	nextHistoryId: number;
}

/** A history before it has its id and time. */
type Step = { author: JiraUser; items: ChangeItem[] };

function weighted<T>(rng: SeededRandom, options: Array<[T, number]>): T {
	let r = rng.next() * options.reduce((sum, [, w]) => sum + w, 0);
	for (const [value, w] of options) if ((r -= w) < 0) return value;
	return options[options.length - 1]![0];
}

function pickType(rng: SeededRandom, n: number): IssueType {
	const type = weighted<IssueType>(rng, [
		[ISSUE_TYPES.story, 35],
		[ISSUE_TYPES.bug, 20],
		[ISSUE_TYPES.task, 30],
		[ISSUE_TYPES.epic, 5],
		[ISSUE_TYPES.subtask, 10]
	]);
	// The first tickets have nothing to be a sub-task of.
	return type.subtask && n < 5 ? ISSUE_TYPES.task : type;
}

/** The statuses a ticket moves through after To Do, ending where it is now. */
function path(rng: SeededRandom, release: boolean, churn: number): Status[] {
	const { toDo, inProgress, inReview, done, wontDo, blocked, released } = STATUSES;
	const final = churn
		? done
		: weighted<Status>(
				rng,
				release
					? [[toDo, 20], [inProgress, 15], [blocked, 7], [inReview, 8], [done, 25], [released, 18], [wontDo, 7]]
					: [[toDo, 25], [inProgress, 18], [inReview, 10], [done, 40], [wontDo, 7]]
			);
	let steps: Status[];
	if (final === toDo) steps = rng.next() < 0.1 ? [inProgress, toDo] : [];
	else if (final === inProgress) steps = [inProgress];
	else if (final === blocked) steps = [inProgress, blocked];
	else if (final === inReview) steps = [inProgress, inReview];
	else if (final === done) steps = rng.next() < 0.7 || churn ? [inProgress, inReview, done] : [inProgress, done];
	else if (final === released) steps = [inProgress, inReview, done, released];
	else steps = rng.next() < 0.5 ? [wontDo] : [inProgress, wontDo];
	// Review sends work back: In Review → In Progress → In Review, once now and then, many times when churning.
	const review = steps.indexOf(inReview);
	if (review >= 0) {
		const bounces = churn ? Math.ceil((churn - steps.length) / 2) : rng.next() < 0.25 ? 1 : 0;
		for (let i = 0; i < bounces; i++) steps.splice(review, 0, inReview, inProgress);
	}
	return steps;
}

interface Draft {
	ticket: Ticket;
	/** Generation order: breaks ties in creation time. */
	order: number;
	parentCandidate: number;
}

function draftTicket(rng: SeededRandom, project: JiraProject, order: number, updated: number, users: JiraUser[], churns: boolean): Draft {
	const type = pickType(rng, order);
	const pick = () => rng.pick(users);
	const priority = weighted(rng, PRIORITIES.map((p, i) => [p, [5, 15, 50, 20, 10][i]!] as [typeof p, number]));
	const assignee = rng.next() < 0.2 ? null : pick();
	const reporter = pick();
	const storyPoints = type.estimated && rng.next() < 0.8 ? rng.pick(STORY_POINTS) : null;
	const churn = churns ? rng.int(41, 130) : 0;
	const statuses = path(rng, project.workflow === RELEASE_WORKFLOW, churn);

	// The changes, oldest first; each becomes one history.
	const steps: Step[] = [];
	let current: Status = project.workflow.statuses[0]!;
	let holder: JiraUser | null = null;
	const worker = () => holder ?? pick();
	for (const next of statuses) {
		const items: ChangeItem[] = [{ field: 'status', from: current, to: next }];
		const before = resolutionOf(current);
		const after = resolutionOf(next);
		if (before !== after) items.push({ field: 'resolution', from: before, to: after });
		// Starting work assigns it, when it is not yet.
		if (next === STATUSES.inProgress && holder === null && assignee !== null) {
			items.push({ field: 'assignee', from: null, to: assignee });
			holder = assignee;
		}
		steps.push({ author: worker(), items });
		current = next;
	}
	const insert = (step: Step) => steps.splice(rng.int(0, steps.length), 0, step);
	if (holder !== assignee) {
		// Assigned outside a transition, sometimes to someone else first.
		const first = rng.next() < 0.3 ? pick() : assignee;
		if (first !== assignee) steps.unshift({ author: reporter, items: [{ field: 'assignee', from: null, to: first }] }, { author: reporter, items: [{ field: 'assignee', from: first, to: assignee }] });
		else if (assignee !== null) steps.unshift({ author: reporter, items: [{ field: 'assignee', from: null, to: assignee }] });
	}
	if (rng.next() < 0.2) {
		const was = rng.pick(PRIORITIES.filter((p) => p !== priority));
		insert({ author: reporter, items: [{ field: 'priority', from: was, to: priority }] });
	}
	if (storyPoints !== null && rng.next() < 0.3) insert({ author: reporter, items: [{ field: 'storyPoints', from: null, to: storyPoints }] });

	// Times: the last change is the ticket's `updated`; the others fall between creation and it.
	const created = steps.length === 0 ? updated : updated - rng.int(HOUR, (churn ? 60 : 30) * DAY);
	const times = steps.map((_, i) => (i === steps.length - 1 ? updated : created + 1 + Math.floor(rng.next() * (updated - created - 1))));
	times.sort((a, b) => a - b);
	for (let i = 1; i < times.length; i++) if (times[i]! <= times[i - 1]!) times[i] = times[i - 1]! + 1;
	const histories: History[] = steps.map((step, i) => ({ id: 0, author: step.author, created: times[i]!, items: step.items }));

	let resolutiondate: number | null = null;
	let statusCategoryChanged = created;
	for (const history of histories) {
		for (const item of history.items) {
			if (item.field !== 'status') continue;
			if (item.from.category !== item.to.category) statusCategoryChanged = history.created;
			if (item.to.category.key === 'done' && item.from.category.key !== 'done') resolutiondate = history.created;
			if (item.to.category.key !== 'done') resolutiondate = null;
		}
	}
	const ticket: Ticket = {
		id: 0,
		project,
		number: 0,
		key: '',
		type,
		summary: `${rng.pick(VERBS)} ${rng.pick(THINGS)}`,
		priority,
		assignee,
		reporter,
		created,
		updated: histories.at(-1)?.created ?? created,
		status: current,
		statusCategoryChanged,
		resolutiondate,
		storyPoints,
		parent: null,
		subtasks: [],
		histories
	};
	return { ticket, order, parentCandidate: rng.next() };
}

export function generateProjects(options: GenerateOptions): Generated {
	// Generated time ends at the start of today (UTC): nothing lies in the future, and a day's runs agree.
	const anchor = Math.floor(options.now / DAY) * DAY;
	const projects: JiraProject[] = [];
	const all: Ticket[] = [];
	for (let p = 0; p < options.projects; p++) {
		const project: JiraProject = {
			index: p,
			id: String(10000 + p),
			key: KEYS[p] ?? `P${p + 1}`,
			name: NAMES[p] ?? `Project ${p + 1}`,
			description: `Work of the ${NAMES[p] ?? `project ${p + 1}`} team.`,
			lead: options.users[p % options.users.length]!,
			workflow: p === RELEASE_PROJECT ? RELEASE_WORKFLOW : STANDARD_WORKFLOW,
			issueTypes: PROJECT_ISSUE_TYPES,
			tickets: [],
			nextNumber: options.tickets + 1
		};
		const rng = randomFor(options.seed, 0x71a0, p);
		const drafts: Draft[] = [];
		let previous = 0;
		for (let j = 0; j < options.tickets; j++) {
			const updated = j > 0 && rng.next() < TIES ? Math.min(anchor - 1, floorMinute(previous) + rng.int(0, 59_999)) : anchor - 1 - Math.floor(rng.next() * SPAN);
			previous = updated;
			drafts.push(draftTicket(randomFor(options.seed, 0x71a1, p, j), project, j, updated, options.users, j % CHURN_EVERY === 12));
		}
		// Keys count up in creation order.
		drafts.sort((a, b) => a.ticket.created - b.ticket.created || a.order - b.order);
		const parents: Ticket[] = [];
		drafts.forEach((draft, i) => {
			const ticket = draft.ticket;
			ticket.number = i + 1;
			ticket.key = `${project.key}-${i + 1}`;
			if (ticket.type.subtask) {
				// A sub-task belongs to an older story, bug or task of its project.
				const parent = parents[Math.floor(draft.parentCandidate * parents.length)];
				if (parent) {
					ticket.parent = parent;
					parent.subtasks.push(ticket);
				} else ticket.type = ISSUE_TYPES.task;
			}
			if (!ticket.type.subtask && ticket.type !== ISSUE_TYPES.epic) parents.push(ticket);
			project.tickets.push(ticket);
		});
		projects.push(project);
		all.push(...project.tickets);
	}
	// Ids grow with time across the site, as Jira hands them out.
	all.sort((a, b) => a.created - b.created || a.project.index - b.project.index || a.number - b.number);
	all.forEach((ticket, i) => (ticket.id = 10000 + i));
	const histories = all.flatMap((t) => t.histories);
	histories.sort((a, b) => a.created - b.created);
	histories.forEach((history, i) => (history.id = 10000 + i));
	return { projects, nextTicketId: 10000 + all.length, nextHistoryId: 10000 + histories.length };
}
