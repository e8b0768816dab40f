// Runs JQL against the simulated Jira as one user sees it: only projects they may browse, date
// literals read on their profile's wall clock, dates compared to the minute (a ticket updated at
// 10:00:45 is `updated >= "… 10:00"` and not `updated > "… 10:00"`). Results are sorted once and
// cached until the next change, so paging through thousands of tickets stays cheap.
import { jqlError } from './http.ts';
import { parseJql, type Clause, type Expression, type Jql, type SortKey } from './jql.ts';
import { floorMinute, isValidWallMinute, MINUTE, wallMinuteToInstant, DAY, HOUR } from './time.ts';
import { CATEGORIES, STATUSES, ISSUE_TYPES, type Status } from './workflow.ts';
import type { Flavour } from './flavour.ts';
import type { JiraModel, JiraProject, Ticket } from './model.ts';
import type { JiraUser } from './people.ts';

export interface SearchResult {
	tickets: Ticket[];
	order: SortKey[];
	/** Whether the query restricts anything (Cloud's enhanced search refuses unbounded ones). */
	bounded: boolean;
}

interface Scope {
	model: JiraModel;
	projects: JiraProject[];
	zone: string;
	now: number;
}

type Predicate = (ticket: Ticket) => boolean;

const DATE_FORMATS = "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.";
const UNITS: Record<string, number> = { w: 7 * DAY, d: DAY, h: HOUR, m: MINUTE };

/** A JQL date value as an instant, at minute precision. */
function dateValue(text: string, name: string, scope: Scope): number {
	const absolute = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(text.trim());
	if (absolute) {
		const wall = { year: Number(absolute[1]), month: Number(absolute[2]), day: Number(absolute[3]), hour: Number(absolute[4] ?? 0), minute: Number(absolute[5] ?? 0) };
		if (!isValidWallMinute(wall)) throw jqlError(`Date value '${text}' for field '${name}' is invalid. ${DATE_FORMATS}`);
		return wallMinuteToInstant(wall, scope.zone);
	}
	// A period from now: `-5m`, `-1d`, `"-4w 2d"` (the sign covers the whole period).
	const period = /^([-+]?)(\d+[wdhm](?:\s*\d+[wdhm])*)$/.exec(text.trim());
	if (period) {
		let ms = 0;
		for (const [, n, unit] of period[2]!.matchAll(/(\d+)([wdhm])/g)) ms += Number(n) * UNITS[unit!]!;
		return floorMinute(scope.now + (period[1] === '-' ? -ms : ms));
	}
	throw jqlError(`Date value '${text}' for field '${name}' is invalid. ${DATE_FORMATS}`);
}

const notSupported = (clause: Clause) => jqlError(`The operator '${clause.operator.toUpperCase()}' is not supported by the '${clause.name}' field.`);
const valueMissing = (clause: Clause, text: string) => jqlError(`The value '${text}' does not exist for the field '${clause.name}'.`);

/** `=`, `!=`, `IN`, `NOT IN` over values resolved to a set. */
function membership<T>(clause: Clause, resolve: (text: string) => T | undefined, of: (ticket: Ticket) => T): Predicate {
	const negated = clause.operator === '!=' || clause.operator === 'not in';
	if (clause.operator === 'is' || clause.operator === 'is not') return () => clause.operator === 'is not';
	if (!['=', '!=', 'in', 'not in'].includes(clause.operator)) throw notSupported(clause);
	const set = new Set<T>();
	for (const value of clause.values) {
		const resolved = resolve(value.text);
		if (resolved === undefined) throw valueMissing(clause, value.text);
		set.add(resolved);
	}
	return (ticket) => set.has(of(ticket)) !== negated;
}

function compare(operator: Clause['operator'], a: number, b: number): boolean {
	switch (operator) {
		case '=':
			return a === b;
		case '!=':
			return a !== b;
		case '>':
			return a > b;
		case '>=':
			return a >= b;
		case '<':
			return a < b;
		case '<=':
			return a <= b;
		default:
			return false;
	}
}

function clausePredicate(clause: Clause, scope: Scope): Predicate {
	switch (clause.field) {
		case 'project':
			return membership(clause, (text) => scope.projects.find((p) => p.key === text.toUpperCase() || p.id === text), (t) => t.project);
		case 'key': {
			const visible = (text: string) => {
				const ticket = scope.model.ticket(text);
				return ticket && scope.projects.includes(ticket.project) ? ticket : undefined;
			};
			if (['>', '>=', '<', '<='].includes(clause.operator)) {
				// A key range stays within the key's project: `key > CORE-10`.
				const [text = ''] = clause.values.map((v) => v.text);
				const match = /^([A-Za-z][A-Za-z0-9_]*)-(\d+)$/.exec(text);
				const project = match && scope.projects.find((p) => p.key === match[1]!.toUpperCase());
				if (!match || !project) throw jqlError(`An issue with key '${text}' does not exist for field '${clause.name}'.`);
				const number = Number(match[2]);
				return (t) => t.project === project && compare(clause.operator, t.number, number);
			}
			const missing = clause.values.find((v) => !visible(v.text));
			if (missing && ['=', '!=', 'in', 'not in'].includes(clause.operator)) throw jqlError(`An issue with key '${missing.text}' does not exist for field '${clause.name}'.`);
			return membership(clause, visible, (t) => t);
		}
		case 'status': {
			const statuses: Status[] = Object.values(STATUSES);
			return membership(clause, (text) => statuses.find((s) => s.id === text || s.name.toLowerCase() === text.toLowerCase()), (t) => t.status);
		}
		case 'statusCategory':
			return membership(clause, (text) => Object.values(CATEGORIES).find((c) => String(c.id) === text || c.key === text.toLowerCase() || c.name.toLowerCase() === text.toLowerCase()), (t) => t.status.category);
		case 'issuetype':
			return membership(clause, (text) => Object.values(ISSUE_TYPES).find((type) => type.id === text || type.name.toLowerCase() === text.toLowerCase()), (t) => t.type);
		case 'updated':
		case 'created':
		case 'resolved': {
			const of = (t: Ticket) => (clause.field === 'updated' ? t.updated : clause.field === 'created' ? t.created : t.resolutiondate);
			if (clause.operator === 'is' || clause.operator === 'is not') return (t) => (of(t) === null) === (clause.operator === 'is');
			if (clause.list || ['~', '!~'].includes(clause.operator)) throw notSupported(clause);
			const bound = dateValue(clause.values[0]!.text, clause.name, scope);
			return (t) => {
				const value = of(t);
				return value !== null && compare(clause.operator, floorMinute(value), bound);
			};
		}
	}
}

function predicate(expression: Expression, scope: Scope): Predicate {
	switch (expression.kind) {
		case 'and': {
			const parts = expression.parts.map((p) => predicate(p, scope));
			return (t) => parts.every((p) => p(t));
		}
		case 'or': {
			const parts = expression.parts.map((p) => predicate(p, scope));
			return (t) => parts.some((p) => p(t));
		}
		case 'not': {
			const part = predicate(expression.part, scope);
			return (t) => !part(t);
		}
		case 'clause':
			return clausePredicate(expression, scope);
	}
}

/** Jira's order when the query names none. */
const DEFAULT_ORDER: SortKey[] = [{ field: 'created', direction: 'DESC' }];

/** A ticket's place in an order: one value per sort key (a key counts as project and number), then its id. */
export function sortValues(ticket: Ticket, order: SortKey[]): Array<number | string> {
	const values: Array<number | string> = [];
	for (const key of order) {
		if (key.field === 'key') values.push(ticket.project.key, ticket.number);
		else values.push(key.field === 'updated' ? ticket.updated : key.field === 'created' ? ticket.created : ticket.id);
	}
	values.push(ticket.id);
	return values;
}

/** Each sort value's direction (1 ascending, -1 descending); ties end on the id, in the first key's direction. */
export function directions(order: SortKey[]): number[] {
	const dirs = order.flatMap((key) => (key.field === 'key' ? [key.direction, key.direction] : [key.direction])).map((d) => (d === 'ASC' ? 1 : -1));
	dirs.push(dirs[0] ?? 1);
	return dirs;
}

export function compareValues(a: Array<number | string>, b: Array<number | string>, dirs: number[]): number {
	for (let i = 0; i < dirs.length; i++) {
		const x = a[i]!;
		const y = b[i]!;
		if (x !== y) return (x < y ? -1 : 1) * dirs[i]!;
	}
	return 0;
}

const CACHE_SIZE = 32;

export class Searcher {
	readonly #model: JiraModel;
	readonly #cache = new Map<string, { version: number; result: SearchResult }>();

	constructor(model: JiraModel) {
		this.#model = model;
	}

	/** The tickets `jql` finds for `user`, in order. Throws JiraError (400) for JQL it refuses. */
	search(flavour: Flavour, user: JiraUser, jql: string, now = Date.now()): SearchResult {
		// Relative dates move with the clock, at minute precision: a cached answer lasts a minute at most.
		const key = `${flavour.name}\u0000${user.index}\u0000${floorMinute(now)}\u0000${jql}`;
		const cached = this.#cache.get(key);
		if (cached && cached.version === this.#model.version) return cached.result;
		const result = this.#run(parseJql(jql), { model: this.#model, projects: this.#model.browsable(user), zone: flavour.zone(user), now });
		this.#cache.delete(key);
		this.#cache.set(key, { version: this.#model.version, result });
		if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
		return result;
	}

	#run(query: Jql, scope: Scope): SearchResult {
		const test = query.where ? predicate(query.where, scope) : () => true;
		const order = query.order.length > 0 ? query.order : DEFAULT_ORDER;
		const dirs = directions(order);
		const found = scope.projects.flatMap((p) => p.tickets.filter(test)).map((ticket) => ({ ticket, values: sortValues(ticket, order) }));
		found.sort((a, b) => compareValues(a.values, b.values, dirs));
		return { tickets: found.map((f) => f.ticket), order, bounded: query.where !== null };
	}
}
