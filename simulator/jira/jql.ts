// JQL, the part of it sync clients send: clauses on project, key, updated, created, resolved,
// status, statusCategory and issuetype, joined by AND, OR and NOT with parentheses, then ORDER
// BY. Anything else is refused with 400 and Jira's kind of message, so a client that sends it
// finds out here rather than against a customer's site.
import { jqlError } from './http.ts';

export type JqlField = 'project' | 'key' | 'updated' | 'created' | 'resolved' | 'status' | 'statusCategory' | 'issuetype';

const FIELDS: Record<string, JqlField> = {
	project: 'project',
	key: 'key',
	issuekey: 'key',
	id: 'key',
	issue: 'key',
	updated: 'updated',
	updateddate: 'updated',
	created: 'created',
	createddate: 'created',
	resolved: 'resolved',
	resolutiondate: 'resolved',
	status: 'status',
	statuscategory: 'statusCategory',
	issuetype: 'issuetype',
	type: 'issuetype'
};

/** Fields every Jira has that the simulator does not evaluate: refused as unsupported, not as unknown. */
const NOT_EVALUATED = new Set(['assignee', 'reporter', 'creator', 'priority', 'labels', 'summary', 'description', 'text', 'comment', 'sprint', 'resolution', 'component', 'fixversion', 'affectedversion', 'parent', 'duedate', 'due', 'watcher', 'votes', 'filter', 'environment', 'level', 'worklogdate', 'lastviewed', 'statuscategorychangeddate']);

export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | 'in' | 'not in' | 'is' | 'is not' | 'was' | 'changed';

export interface Operand {
	text: string;
	quoted: boolean;
}

export interface Clause {
	kind: 'clause';
	field: JqlField;
	/** As written, for messages. */
	name: string;
	operator: Operator;
	/** `IS EMPTY` / `IS NOT EMPTY` have none. */
	values: Operand[];
	list: boolean;
}

export type Expression = { kind: 'and'; parts: Expression[] } | { kind: 'or'; parts: Expression[] } | { kind: 'not'; part: Expression } | Clause;

export type SortField = 'updated' | 'created' | 'key' | 'id';

export interface SortKey {
	field: SortField;
	direction: 'ASC' | 'DESC';
}

export interface Jql {
	where: Expression | null;
	/** Empty: Jira's default order. */
	order: SortKey[];
}

interface Token {
	type: 'word' | 'string' | 'operator' | '(' | ')' | ',' | 'end';
	text: string;
	/** 1-based, as Jira counts. */
	position: number;
}

const OPERATORS = ['!=', '>=', '<=', '!~', '=', '>', '<', '~'];

function tokenize(text: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i]!;
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		const position = i + 1;
		if (c === '(' || c === ')' || c === ',') {
			tokens.push({ type: c, text: c, position });
			i++;
			continue;
		}
		const operator = OPERATORS.find((op) => text.startsWith(op, i));
		if (operator) {
			tokens.push({ type: 'operator', text: operator, position });
			i += operator.length;
			continue;
		}
		if (c === '"' || c === "'") {
			let value = '';
			let j = i + 1;
			for (; j < text.length && text[j] !== c; j++) value += text[j] === '\\' && j + 1 < text.length ? text[++j] : text[j];
			if (j >= text.length) throw jqlError(`Error in the JQL Query: The quoted string '${value}' has not been completed. (line 1, character ${position})`);
			tokens.push({ type: 'string', text: value, position });
			i = j + 1;
			continue;
		}
		const word = /^[^\s(),=!<>~"']+/.exec(text.slice(i))?.[0];
		if (!word) throw jqlError(`Error in the JQL Query: The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}' instead. (line 1, character ${position})`);
		tokens.push({ type: 'word', text: word, position });
		i += word.length;
	}
	tokens.push({ type: 'end', text: '', position: text.length + 1 });
	return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'empty', 'null', 'order', 'by', 'asc', 'desc', 'was', 'changed']);

class Parser {
	readonly #tokens: Token[];
	#at = 0;

	constructor(text: string) {
		this.#tokens = tokenize(text);
	}

	/** A method, not a getter: TypeScript would keep a getter's narrowed type after the parser moves on. */
	#token(): Token {
		return this.#tokens[this.#at]!;
	}

	#keyword(word: string): boolean {
		return this.#token().type === 'word' && this.#token().text.toLowerCase() === word;
	}

	#fail(expecting: string): never {
		const got = this.#token().type === 'end' ? 'end of query' : `'${this.#token().text}'`;
		throw jqlError(`Error in the JQL Query: Expecting ${expecting} but got ${got}. (line 1, character ${this.#token().position})`);
	}

	parse(): Jql {
		const where = this.#token().type === 'end' || this.#keyword('order') ? null : this.#or();
		const order: SortKey[] = [];
		if (this.#keyword('order')) {
			this.#at++;
			if (!this.#keyword('by')) this.#fail("'by'");
			this.#at++;
			do {
				if (order.length > 0) this.#at++;
				order.push(this.#sortKey());
			} while (this.#token().type === ',');
		}
		if (this.#token().type !== 'end') this.#fail(where ? "either 'OR' or 'AND'" : 'a field name');
		return { where, order };
	}

	#or(): Expression {
		const parts = [this.#and()];
		while (this.#keyword('or')) {
			this.#at++;
			parts.push(this.#and());
		}
		return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
	}

	#and(): Expression {
		const parts = [this.#not()];
		while (this.#keyword('and')) {
			this.#at++;
			parts.push(this.#not());
		}
		return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
	}

	#not(): Expression {
		if (this.#keyword('not')) {
			this.#at++;
			return { kind: 'not', part: this.#not() };
		}
		if (this.#token().type === '(') {
			this.#at++;
			const inner = this.#or();
			if (this.#token().type !== ')') this.#fail("')'");
			this.#at++;
			return inner;
		}
		return this.#clause();
	}

	#fieldName(): { name: string; position: number } {
		const token = this.#token();
		if ((token.type !== 'word' && token.type !== 'string') || (token.type === 'word' && KEYWORDS.has(token.text.toLowerCase()))) this.#fail('a field name');
		this.#at++;
		return { name: token.text, position: token.position };
	}

	#clause(): Clause {
		const { name } = this.#fieldName();
		const lower = name.toLowerCase();
		const field = FIELDS[lower];
		if (!field) {
			if (NOT_EVALUATED.has(lower) || /^cf\[\d+\]$/.test(lower)) throw jqlError(`Error in the JQL Query: clauses on '${name}' are not evaluated by this site's search; use project, key, updated, created, resolved, status, statusCategory or issuetype.`);
			throw jqlError(`Field '${name}' does not exist or you do not have permission to view it.`);
		}
		const operator = this.#operator();
		if (operator === 'is' || operator === 'is not') {
			if (!this.#keyword('empty') && !this.#keyword('null')) this.#fail("'EMPTY' or 'NULL'");
			this.#at++;
			return { kind: 'clause', field, name, operator, values: [], list: false };
		}
		if (operator === 'in' || operator === 'not in') {
			if (this.#token().type !== '(') this.#fail("'('");
			this.#at++;
			const values = [this.#operand()];
			while (this.#token().type === ',') {
				this.#at++;
				values.push(this.#operand());
			}
			if (this.#token().type !== ')') this.#fail("')'");
			this.#at++;
			return { kind: 'clause', field, name, operator, values, list: true };
		}
		return { kind: 'clause', field, name, operator, values: [this.#operand()], list: false };
	}

	#operator(): Operator {
		const token = this.#token();
		if (token.type === 'operator') {
			this.#at++;
			return token.text as Operator;
		}
		const word = token.type === 'word' ? token.text.toLowerCase() : '';
		if (word === 'in' || word === 'is' || word === 'was' || word === 'changed') {
			this.#at++;
			if (word === 'is' && this.#keyword('not')) {
				this.#at++;
				return 'is not';
			}
			if (word === 'was' || word === 'changed') throw jqlError(`Error in the JQL Query: the '${word.toUpperCase()}' operator is not evaluated by this site's search. (line 1, character ${token.position})`);
			return word as Operator;
		}
		if (word === 'not') {
			this.#at++;
			if (!this.#keyword('in')) this.#fail("'IN'");
			this.#at++;
			return 'not in';
		}
		const got = token.type === 'end' ? 'end of query' : `'${token.text}'`;
		throw jqlError(
			`Error in the JQL Query: Expecting operator but got ${got}. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character ${token.position})`
		);
	}

	#operand(): Operand {
		const token = this.#token();
		if (token.type === 'string') {
			this.#at++;
			return { text: token.text, quoted: true };
		}
		if (token.type !== 'word' || KEYWORDS.has(token.text.toLowerCase())) this.#fail('either a value, list or function');
		this.#at++;
		if (this.#token().type === '(') throw jqlError(`Unable to find JQL function '${token.text}()'.`);
		return { text: token.text, quoted: false };
	}

	#sortKey(): SortKey {
		const { name } = this.#fieldName();
		const lower = name.toLowerCase();
		const field: SortField | undefined = lower === 'updated' || lower === 'updateddate' ? 'updated' : lower === 'created' || lower === 'createddate' ? 'created' : lower === 'key' || lower === 'issuekey' ? 'key' : lower === 'id' ? 'id' : undefined;
		if (!field) {
			if (FIELDS[lower] || NOT_EVALUATED.has(lower)) throw jqlError(`Error in the JQL Query: ordering by '${name}' is not supported by this site's search; order by updated, created, key or id.`);
			throw jqlError(`Not able to sort using field '${name}'.`);
		}
		let direction: SortKey['direction'] = field === 'key' || field === 'id' ? 'ASC' : 'DESC';
		if (this.#keyword('asc') || this.#keyword('desc')) {
			direction = this.#token().text.toUpperCase() as SortKey['direction'];
			this.#at++;
		}
		return { field, direction };
	}
}

export function parseJql(text: string): Jql {
	return new Parser(text).parse();
}
