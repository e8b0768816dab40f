// The WIQL the simulator understands: flat queries (`SELECT [f], … FROM WorkItems [WHERE …]
// [ORDER BY [f] [ASC|DESC], …]`) with AND, OR, NOT and parentheses over clauses `[field] op value`:
// =, <>, !=, >, <, >=, <=, [NOT] IN (…), [NOT] CONTAINS, [NOT] UNDER; values are 'strings' (''
// escapes a quote), numbers and the macros @project, @Me, @Today [± n]. As Azure DevOps does, a
// date compares by day unless the request asks for `timePrecision=true`, and a date literal that
// carries a time (other than midnight) is refused without it. Unknown fields answer TF51005,
// anything else unreadable Azure's `Expecting …` refusal.
import { propertyValidation, witError } from './http.ts';
import { fieldDef, type FieldDef } from './processes.ts';
import type { AzureIdentity, AzureOrganization, AzureProject } from './model.ts';
import type { FieldValue, WorkItemRecord } from './work-items.ts';

type Token =
	| { kind: 'field'; name: string; text: string }
	| { kind: 'string'; value: string; text: string }
	| { kind: 'number'; value: number; text: string }
	| { kind: 'macro'; name: string; text: string }
	| { kind: 'op'; value: string; text: string }
	| { kind: 'word'; value: string; text: string }
	| { kind: 'end'; text: string };

const DAY = 86_400_000;

const expecting = (what: string, token: { text: string }) => propertyValidation(`Expecting ${what}. The error is caused by «${token.text}».`);
const unknownField = (text: string) => witError(400, `TF51005: The query references a field that does not exist. The error is caused by «${text}».`, 'ValidationException');

function tokenize(text: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i]!;
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		if (c === '[') {
			const end = text.indexOf(']', i);
			if (end < 0) throw expecting('right bracket', { text: text.slice(i) });
			tokens.push({ kind: 'field', name: text.slice(i + 1, end).trim(), text: text.slice(i, end + 1) });
			i = end + 1;
			continue;
		}
		if (c === "'" || c === '"') {
			let value = '';
			let j = i + 1;
			for (;;) {
				if (j >= text.length) throw expecting('closing quote', { text: text.slice(i) });
				if (text[j] === c) {
					if (text[j + 1] === c) {
						value += c;
						j += 2;
						continue;
					}
					break;
				}
				value += text[j];
				j++;
			}
			tokens.push({ kind: 'string', value, text: text.slice(i, j + 1) });
			i = j + 1;
			continue;
		}
		const op = /^(<>|!=|>=|<=|=|>|<|\(|\)|,|\+|-)/.exec(text.slice(i));
		if (op) {
			// A minus sign before digits is a negative number only where a value is expected; the parser sorts that out.
			tokens.push({ kind: 'op', value: op[1]!, text: op[1]! });
			i += op[1]!.length;
			continue;
		}
		const number = /^\d+(\.\d+)?/.exec(text.slice(i));
		if (number) {
			tokens.push({ kind: 'number', value: Number(number[0]), text: number[0] });
			i += number[0].length;
			continue;
		}
		const word = /^@?[A-Za-z_][\w.]*/.exec(text.slice(i));
		if (word) {
			if (word[0].startsWith('@')) tokens.push({ kind: 'macro', name: word[0].slice(1).toLowerCase(), text: word[0] });
			else tokens.push({ kind: 'word', value: word[0].toUpperCase(), text: word[0] });
			i += word[0].length;
			continue;
		}
		throw expecting('field name or expression', { text: c });
	}
	tokens.push({ kind: 'end', text: '<end of query>' });
	return tokens;
}

type Operator = '=' | '<>' | '>' | '<' | '>=' | '<=' | 'in' | 'not in' | 'contains' | 'not contains' | 'under' | 'not under';
type Value = { kind: 'string'; value: string; text: string } | { kind: 'number'; value: number; text: string } | { kind: 'macro'; name: string; offset: number; text: string };

interface Clause {
	kind: 'clause';
	field: FieldDef;
	op: Operator;
	values: Value[];
	/** As written, for refusals: `[System.ChangedDate] >= '2024-01-01'`. */
	text: string;
}
type Expression = Clause | { kind: 'and' | 'or'; left: Expression; right: Expression } | { kind: 'not'; expression: Expression };

export interface WiqlQuery {
	fields: FieldDef[];
	where: Expression | null;
	orderBy: Array<{ field: FieldDef; descending: boolean }>;
}

class Parser {
	readonly #tokens: Token[];
	#at = 0;
	constructor(tokens: Token[]) {
		this.#tokens = tokens;
	}
	peek(): Token {
		return this.#tokens[this.#at]!;
	}
	next(): Token {
		return this.#tokens[this.#at++]!;
	}
	isWord(...words: string[]): boolean {
		const token = this.peek();
		return token.kind === 'word' && words.includes(token.value);
	}
	word(word: string): void {
		if (!this.isWord(word)) throw expecting(word, this.peek());
		this.next();
	}
	isOp(op: string): boolean {
		const token = this.peek();
		return token.kind === 'op' && token.value === op;
	}

	field(): { field: FieldDef; text: string } {
		const token = this.next();
		// A bare reference name works too (`System.Id`); friendly names with spaces need brackets, which this simulator does not resolve.
		const name = token.kind === 'field' ? token.name : token.kind === 'word' && token.text.includes('.') ? token.text : null;
		if (name === null) throw expecting('field name', token);
		const field = fieldDef(name);
		if (!field) throw unknownField(token.kind === 'field' ? token.text : `[${token.text}]`);
		return { field, text: token.kind === 'field' ? token.text : `[${token.text}]` };
	}

	value(): Value {
		const token = this.next();
		if (token.kind === 'string') return token;
		if (token.kind === 'number') return token;
		if (token.kind === 'op' && token.value === '-' && this.peek().kind === 'number') {
			const number = this.next() as { value: number; text: string };
			return { kind: 'number', value: -number.value, text: `-${number.text}` };
		}
		if (token.kind === 'macro') {
			let offset = 0;
			let text = token.text;
			if ((this.isOp('+') || this.isOp('-')) && this.#tokens[this.#at + 1]?.kind === 'number') {
				const sign = this.next() as { value: string };
				const number = this.next() as { value: number; text: string };
				offset = sign.value === '-' ? -number.value : number.value;
				text = `${text} ${sign.value} ${number.text}`;
			}
			return { kind: 'macro', name: token.name, offset, text };
		}
		throw expecting('value', token);
	}

	clause(): Clause {
		const { field, text } = this.field();
		const token = this.next();
		let op: Operator;
		if (token.kind === 'op' && ['=', '<>', '!=', '>', '<', '>=', '<='].includes(token.value)) op = (token.value === '!=' ? '<>' : token.value) as Operator;
		else if (token.kind === 'word' && token.value === 'NOT' && this.isWord('IN', 'CONTAINS', 'UNDER')) op = `not ${(this.next() as { value: string }).value.toLowerCase()}` as Operator;
		else if (token.kind === 'word' && ['IN', 'CONTAINS', 'UNDER'].includes(token.value)) op = token.value.toLowerCase() as Operator;
		else throw expecting('comparison operator', token);
		const values: Value[] = [];
		if (op === 'in' || op === 'not in') {
			if (!this.isOp('(')) throw expecting('left parenthesis', this.peek());
			this.next();
			for (;;) {
				values.push(this.value());
				if (this.isOp(',')) {
					this.next();
					continue;
				}
				if (this.isOp(')')) {
					this.next();
					break;
				}
				throw expecting('comma or right parenthesis', this.peek());
			}
		} else values.push(this.value());
		const valueText = op === 'in' || op === 'not in' ? `(${values.map((v) => v.text).join(', ')})` : values[0]!.text;
		return { kind: 'clause', field, op, values, text: `${text} ${op.toUpperCase()} ${valueText}` };
	}

	factor(): Expression {
		if (this.isWord('NOT')) {
			this.next();
			return { kind: 'not', expression: this.factor() };
		}
		if (this.isOp('(')) {
			this.next();
			const expression = this.or();
			if (!this.isOp(')')) throw expecting('right parenthesis', this.peek());
			this.next();
			return expression;
		}
		return this.clause();
	}

	and(): Expression {
		let left = this.factor();
		while (this.isWord('AND')) {
			this.next();
			left = { kind: 'and', left, right: this.factor() };
		}
		return left;
	}

	or(): Expression {
		let left = this.and();
		while (this.isWord('OR')) {
			this.next();
			left = { kind: 'or', left, right: this.and() };
		}
		return left;
	}

	query(): WiqlQuery {
		this.word('SELECT');
		const fields: FieldDef[] = [];
		do {
			if (fields.length > 0) this.next();
			fields.push(this.field().field);
		} while (this.isOp(','));
		this.word('FROM');
		const source = this.next();
		if (source.kind !== 'word' || source.value !== 'WORKITEMS') throw expecting('WorkItems (the simulator serves flat queries only)', source);
		const where = this.isWord('WHERE') ? (this.next(), this.or()) : null;
		const orderBy: WiqlQuery['orderBy'] = [];
		if (this.isWord('ORDER')) {
			this.next();
			this.word('BY');
			do {
				if (orderBy.length > 0) this.next();
				const { field } = this.field();
				let descending = false;
				if (this.isWord('ASC', 'DESC')) descending = (this.next() as { value: string }).value === 'DESC';
				orderBy.push({ field, descending });
			} while (this.isOp(','));
		}
		if (this.peek().kind !== 'end') throw expecting('end of string', this.peek());
		return { fields, where, orderBy };
	}
}

export function parseWiql(text: string): WiqlQuery {
	return new Parser(tokenize(text)).query();
}

/** A date literal: its instant (UTC; a literal without a zone is UTC) and whether it names a time other than midnight. */
function dateLiteral(text: string): { ms: number; hasTime: boolean } | null {
	const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text.trim());
	const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
	if (us) return { ms: Date.UTC(Number(us[3]), Number(us[1]) - 1, Number(us[2])), hasTime: false };
	if (!iso) return null;
	const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = iso;
	let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.round(Number(`0.${frac}`) * 1000));
	if (Number.isNaN(ms)) return null;
	if (zone && zone.toUpperCase() !== 'Z') {
		const sign = zone.startsWith('-') ? -1 : 1;
		const digits = zone.slice(1).replace(':', '');
		ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
	}
	const hasTime = Number(h) + Number(mi) + Number(s) + Number(frac) > 0;
	// A time of midnight is as good as a date: Azure DevOps reads it so under date precision.
	return { ms: hasTime ? ms : Date.UTC(Number(y), Number(mo) - 1, Number(d)), hasTime };
}

export interface WiqlContext {
	organization: AzureOrganization;
	/** The project of the URL (`{org}/{project}/_apis/wit/wiql`); `@project` needs one. */
	project: AzureProject | undefined;
	/** `timePrecision=true`: dates compare to the millisecond, and literals may carry a time. */
	timePrecision: boolean;
	/** `@Me`. */
	me: AzureIdentity;
	now: number;
	/** Every project of the organisation, to check `[System.TeamProject] = 'name'`. */
	projectNamed(name: string): AzureProject | undefined;
}

type Resolved = { kind: 'date'; ms: number } | { kind: 'number'; value: number } | { kind: 'text'; value: string } | { kind: 'identity'; identity: AzureIdentity };

function resolve(field: FieldDef, value: Value, clause: Clause, context: WiqlContext): Resolved {
	if (value.kind === 'macro') {
		if (value.name === 'project') {
			if (!context.project) throw propertyValidation(`The macro '@project' can be used only in a query run in the context of a project. The error is caused by «${value.text}».`);
			return { kind: 'text', value: context.project.name };
		}
		if (value.name === 'me') return { kind: 'identity', identity: context.me };
		if (value.name === 'today') return { kind: 'date', ms: Math.floor(context.now / DAY) * DAY + value.offset * DAY };
		throw propertyValidation(`The macro '${value.text}' is not supported. The error is caused by «${value.text}».`);
	}
	if (field.kind === 'dateTime') {
		if (value.kind !== 'string') throw expecting('date', value);
		const literal = dateLiteral(value.value);
		if (!literal) throw witError(400, `The string '${value.value}' is not recognized as a valid DateTime value. The error is caused by «${value.text}».`, 'ValidationException');
		if (literal.hasTime && !context.timePrecision) {
			throw witError(400, `You cannot supply a time with the date when running a query using date precision. The error is caused by «${clause.text}».`, 'ValidationException');
		}
		return { kind: 'date', ms: literal.ms };
	}
	if (field.kind === 'integer' || field.kind === 'double') {
		const n = value.kind === 'number' ? value.value : Number(value.value);
		if (value.kind === 'string' && (value.value.trim() === '' || Number.isNaN(n))) throw expecting('number', value);
		return { kind: 'number', value: n };
	}
	if (value.kind === 'number') return { kind: 'text', value: value.text };
	if (field.referenceName === 'System.TeamProject' && !context.projectNamed(value.value)) {
		throw witError(400, `TF51011: The specified project does not exist. The error is caused by «${value.text}».`, 'ValidationException');
	}
	return { kind: 'text', value: value.value };
}

const lower = (s: string) => s.toLowerCase();

function identityMatches(identity: AzureIdentity, wanted: Resolved): boolean {
	if (wanted.kind === 'identity') return identity.id === wanted.identity.id;
	if (wanted.kind !== 'text') return false;
	const w = lower(wanted.value);
	return w === lower(identity.displayName) || w === lower(identity.uniqueName) || w === lower(`${identity.displayName} <${identity.uniqueName}>`);
}

/** -1, 0, 1; null when the two cannot be ordered (a missing value). */
function compare(field: FieldDef, actual: FieldValue | undefined, wanted: Resolved, timePrecision: boolean): number | null {
	if (actual === undefined) return null;
	if (wanted.kind === 'date') {
		const a = timePrecision ? (actual as number) : Math.floor((actual as number) / DAY);
		const b = timePrecision ? wanted.ms : Math.floor(wanted.ms / DAY);
		return Math.sign(a - b);
	}
	if (wanted.kind === 'number') return Math.sign((actual as number) - wanted.value);
	if (field.kind === 'identity') return identityMatches(actual as AzureIdentity, wanted) ? 0 : lower((actual as AzureIdentity).displayName).localeCompare(wanted.kind === 'text' ? lower(wanted.value) : '');
	const a = lower(String(actual));
	const b = wanted.kind === 'text' ? lower(wanted.value) : '';
	return a === b ? 0 : a < b ? -1 : 1;
}

export type Predicate = (item: WorkItemRecord) => boolean;

function compileClause(clause: Clause, context: WiqlContext): Predicate {
	const { field, op } = clause;
	const values = clause.values.map((v) => resolve(field, v, clause, context));
	const name = field.referenceName;
	const tp = context.timePrecision;
	const textOf = (v: FieldValue | undefined) => (v === undefined ? '' : typeof v === 'object' ? `${v.displayName} <${v.uniqueName}>` : String(v));
	switch (op) {
		case '=':
			// `= ''` is "is empty".
			if (values[0]!.kind === 'text' && (values[0] as { value: string }).value === '') return (item) => !item.fields.has(name);
			return (item) => compare(field, item.fields.get(name), values[0]!, tp) === 0;
		case '<>':
			if (values[0]!.kind === 'text' && (values[0] as { value: string }).value === '') return (item) => item.fields.has(name);
			return (item) => compare(field, item.fields.get(name), values[0]!, tp) !== 0;
		case '>':
			return (item) => (compare(field, item.fields.get(name), values[0]!, tp) ?? -1) > 0;
		case '<':
			return (item) => (compare(field, item.fields.get(name), values[0]!, tp) ?? 1) < 0;
		case '>=':
			return (item) => (compare(field, item.fields.get(name), values[0]!, tp) ?? -1) >= 0;
		case '<=':
			return (item) => (compare(field, item.fields.get(name), values[0]!, tp) ?? 1) <= 0;
		case 'in':
		case 'not in': {
			const hit = (item: WorkItemRecord) => values.some((v) => compare(field, item.fields.get(name), v, tp) === 0);
			return op === 'in' ? hit : (item) => !hit(item);
		}
		case 'contains':
		case 'not contains': {
			const wanted = lower(values[0]!.kind === 'text' ? values[0]!.value : String((values[0] as { value: number }).value));
			const hit = (item: WorkItemRecord) => lower(textOf(item.fields.get(name))).includes(wanted);
			return op === 'contains' ? hit : (item) => !hit(item);
		}
		case 'under':
		case 'not under': {
			if (field.kind !== 'treePath') throw expecting('tree path field for UNDER', { text: clause.text });
			const wanted = lower(values[0]!.kind === 'text' ? values[0]!.value : '');
			const hit = (item: WorkItemRecord) => {
				const path = lower(textOf(item.fields.get(name)));
				return path === wanted || path.startsWith(`${wanted}\\`);
			};
			return op === 'under' ? hit : (item) => !hit(item);
		}
	}
}

function compile(expression: Expression, context: WiqlContext): Predicate {
	if (expression.kind === 'clause') return compileClause(expression, context);
	if (expression.kind === 'not') {
		const inner = compile(expression.expression, context);
		return (item) => !inner(item);
	}
	const left = compile(expression.left, context);
	const right = compile(expression.right, context);
	return expression.kind === 'and' ? (item) => left(item) && right(item) : (item) => left(item) || right(item);
}

function sortValue(value: FieldValue | undefined): string | number | null {
	if (value === undefined) return null;
	if (typeof value === 'object') return value.displayName.toLowerCase();
	return typeof value === 'string' ? value.toLowerCase() : value;
}

/** The matching work items in the query's order (ties, and no ORDER BY, by id). */
export function runWiql(query: WiqlQuery, items: WorkItemRecord[], context: WiqlContext): WorkItemRecord[] {
	const predicate = query.where ? compile(query.where, context) : () => true;
	const hits = items.filter(predicate);
	if (query.orderBy.length === 0) return hits.sort((a, b) => a.id - b.id);
	const keys = query.orderBy.map(({ field, descending }) => ({ name: field.referenceName, sign: descending ? -1 : 1 }));
	return hits.sort((a, b) => {
		for (const { name, sign } of keys) {
			const x = sortValue(a.fields.get(name));
			const y = sortValue(b.fields.get(name));
			if (x === y) continue;
			// An empty value sorts first ascending.
			if (x === null) return -sign;
			if (y === null) return sign;
			return (x < y ? -1 : 1) * sign;
		}
		return a.id - b.id;
	});
}
