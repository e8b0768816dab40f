// One data-modifying part of a batch statement: rows sent as one JSON array of the records
// themselves (one JSON.stringify, where pg's array literals per column cost the worker's thread
// more), read back by Postgres with their fields' types, written only while the statement's
// `held` CTE holds the integration, and changing a row only when a value differs, so storing a
// batch again writes nothing and the count of rows changed says so.

/** Each stored column, the record's field it comes from and its Postgres type. */
export type Columns<R> = ReadonlyArray<{ column: string; field: keyof R & string; type: string }>;

export interface JsonUpsert<R> {
	table: string;
	/** Columns every row gets from the statement's parameters (organization_id: '$2::uuid'…), in order. */
	owner: ReadonlyArray<{ column: string; value: string }>;
	columns: Columns<R>;
	/** The columns of the conflict target (the table's primary key). */
	key: readonly string[];
	/** The parameter holding the JSON array ('$4'). */
	rows: string;
	/** Also returns whether each row was new (xmax = 0) as `inserted`. */
	returnInserted?: boolean;
}

export function jsonUpsert<R>({ table, owner, columns, key, rows, returnInserted }: JsonUpsert<R>): string {
	const stored = columns.filter((c) => !key.includes(c.column));
	const quoted = (name: string) => `"${name}"`;
	return `insert into ${table} (${[...owner.map((o) => o.column), ...columns.map((c) => c.column)].join(', ')})
		select ${[...owner.map((o) => o.value), ...columns.map((c) => `r.${quoted(c.field)}`)].join(', ')}
		from json_to_recordset(${rows}::json) as r(${columns.map((c) => `${quoted(c.field)} ${c.type}`).join(', ')})
		where exists (select from held)
		on conflict (${key.join(', ')}) do update set ${stored.map((c) => `${c.column} = excluded.${c.column}`).join(', ')}
		where (${stored.map((c) => `${table}.${c.column}`).join(', ')}) is distinct from (${stored.map((c) => `excluded.${c.column}`).join(', ')})
		returning ${returnInserted ? '(xmax = 0) as inserted' : '1'}`;
}

/** The last of each key: a batch may name one item twice (edited while its pages were read). */
export function lastOfEach<R>(rows: readonly R[] | undefined, keyOf: (row: R) => string): string {
	return JSON.stringify([...new Map((rows ?? []).map((r) => [keyOf(r), r])).values()]);
}
