// The bulk write path: rows go to Postgres with COPY (one stream for thousands of rows, no
// per-row statements) and rows whose primary key already exists are skipped, so running a write
// again is harmless, which is what makes ingestion retryable. See copyInsert for how.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | Date | null | readonly string[];

const identifier = /^[a-z_]+$/;
const chunkSize = 64 * 1024;
const copyMessageBytes = 1 << 20;

function assertIdentifier(name: string): void {
	// Names come from code, never from input; this only makes sure of it.
	if (!identifier.test(name)) throw new Error(`“${name}” is not a table or column name copyInsert accepts.`);
}

// COPY's text format: backslash, tab, newline and carriage return are escaped; NUL cannot be
// stored in Postgres text at all, so it is dropped (git data can only carry one by accident).
// eslint-disable-next-line no-control-regex
const needsEscape = /[\\\t\n\r\u0000]/;
// eslint-disable-next-line no-control-regex
const escapable = /[\\\t\n\r\u0000]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u0000': '' };

function copyText(value: string): string {
	return needsEscape.test(value) ? value.replace(escapable, (c) => escapes[c]!) : value;
}

/** A Postgres array literal (`{"a","b"}`), every element quoted so commas and braces are data. */
function arrayLiteral(values: readonly string[]): string {
	return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

export function copyField(value: CopyValue): string {
	if (value === null) return '\\N';
	if (typeof value === 'string') return copyText(value);
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new Error(`Cannot store ${value} in the database.`);
		return String(value);
	}
	if (typeof value === 'boolean') return value ? 't' : 'f';
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) throw new Error('Cannot store an invalid date in the database.');
		return value.toISOString();
	}
	return copyText(arrayLiteral(value));
}

function encodeRows(rows: Iterable<readonly CopyValue[]>, width: number): { chunks: string[]; count: number } {
	const chunks: string[] = [];
	let chunk = '';
	let count = 0;
	for (const row of rows) {
		if (row.length !== width) throw new Error(`A row has ${row.length} values for ${width} columns.`);
		let line = copyField(row[0]!);
		for (let i = 1; i < width; i++) line += '\t' + copyField(row[i]!);
		chunk += line + '\n';
		count++;
		if (chunk.length >= chunkSize) {
			chunks.push(chunk);
			chunk = '';
		}
	}
	if (chunk) chunks.push(chunk);
	return { chunks, count };
}

async function copyChunks(client: pg.PoolClient, target: string, list: string, chunks: ReadonlyArray<string | Buffer>): Promise<number> {
	const stream = client.query(copyFrom(`COPY ${target} (${list}) FROM STDIN`));
	await pipeline(Readable.from(chunks), stream);
	return stream.rowCount;
}

/**
 * COPYs text already in COPY's format from a stream (another program's output, say) into a table
 * on `client`, without holding it in memory. Returns the number of rows.
 */
export async function copyFromStream(client: pg.PoolClient, table: string, columns: readonly string[], source: NodeJS.ReadableStream): Promise<number> {
	assertIdentifier(table);
	columns.forEach(assertIdentifier);
	const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
	await pipeline(source, stream);
	return stream.rowCount;
}

const uniqueViolation = '23505';

/**
 * Inserts `rows` into `table`, skipping any that collide with an existing primary key, in one
 * transaction. Returns how many rows were actually inserted.
 *
 * Usually nothing collides (new commits are new), so the rows are first copied straight into the
 * table; only if that meets a duplicate do they go through a staging table and
 * `INSERT … ON CONFLICT DO NOTHING`, which costs about twice as much.
 */
export async function copyInsert(pool: pg.Pool, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<number> {
	if (columns.length === 0) throw new Error('copyInsert needs at least one column.');
	const { chunks, count } = encodeRows(rows, columns.length);
	return insertCopyText(pool, table, columns, count === 0 ? [] : chunks);
}

async function insertCopyText(pool: pg.Pool, table: string, columns: readonly string[], chunks: ReadonlyArray<string | Buffer>): Promise<number> {
	const [inserted] = await insertCopyTexts(pool, [{ table, columns, chunks }]);
	return inserted!;
}

/** Rows already in COPY's text format (see copy-text.ts) for one table: one row a line, a value for each of `columns`. */
export interface CopyTextWrite {
	table: string;
	columns: readonly string[];
	text: Buffer;
}

export interface CopyTextOptions {
	/**
	 * Commit without waiting for the WAL to reach the disk (synchronous_commit off). Only for
	 * writes a caller can tell were lost and repeat: a crash of Postgres may forget the last few
	 * such transactions, never half of one, and the next synchronous commit on the server makes
	 * them all durable (the WAL is flushed in order).
	 */
	deferDurability?: boolean;
}

/**
 * copyInsert for rows already in COPY's text format, for several tables in one transaction, in
 * order: one commit (one WAL flush, or none with `deferDurability`) and one connection for all of
 * them. Returns the rows inserted per table.
 */
export async function copyInsertTexts(pool: pg.Pool, writes: readonly CopyTextWrite[], options: CopyTextOptions = {}): Promise<number[]> {
	const chunked = writes.map(({ table, columns, text }) => {
		if (columns.length === 0) throw new Error('copyInsertTexts needs at least one column per table.');
		const chunks: Buffer[] = [];
		// Views, not copies: COPY messages of a reasonable size.
		for (let at = 0; at < text.length; at += copyMessageBytes) chunks.push(text.subarray(at, at + copyMessageBytes));
		return { table, columns, chunks };
	});
	return insertCopyTexts(pool, chunked, options);
}

async function insertCopyTexts(
	pool: pg.Pool,
	writes: ReadonlyArray<{ table: string; columns: readonly string[]; chunks: ReadonlyArray<string | Buffer> }>,
	options: CopyTextOptions = {}
): Promise<number[]> {
	for (const { table, columns } of writes) {
		assertIdentifier(table);
		columns.forEach(assertIdentifier);
	}
	const pending = writes.filter((write) => write.chunks.length > 0);
	if (pending.length === 0) return writes.map(() => 0);

	const client = await pool.connect();
	let failure: Error | undefined;
	try {
		// One round trip to open the transaction (a simple query may hold several statements).
		await client.query(`BEGIN; ${options.deferDurability ? 'SET LOCAL synchronous_commit TO off; ' : ''}SAVEPOINT direct`);
		const counts = new Map<(typeof writes)[number], number>();
		for (const [index, write] of pending.entries()) {
			// Each table's COPY has a savepoint of its own to fall back to (the latest of the name).
			if (index > 0) await client.query('SAVEPOINT direct');
			counts.set(write, await insertInTransaction(client, write.table, write.columns.join(', '), write.chunks));
		}
		await client.query('COMMIT');
		return writes.map((write) => counts.get(write) ?? 0);
	} catch (error) {
		failure = error as Error;
		await client.query('ROLLBACK').catch(() => {});
		throw error;
	} finally {
		// A connection that failed mid-COPY may be in any state: do not hand it to someone else.
		client.release(failure);
	}
}

/**
 * Inside an open transaction, just after `SAVEPOINT direct`: COPY straight into the table, or
 * through a staging table when a key exists.
 */
async function insertInTransaction(client: pg.PoolClient, table: string, list: string, chunks: ReadonlyArray<string | Buffer>): Promise<number> {
	try {
		return await copyChunks(client, table, list, chunks);
	} catch (error) {
		if ((error as { code?: string }).code !== uniqueViolation) throw error;
		await client.query('ROLLBACK TO SAVEPOINT direct');
	}
	// Same column types as the target, none of its constraints or indexes; gone at commit.
	const staging = `staging_${table}`;
	await client.query(`CREATE TEMP TABLE ${staging} ON COMMIT DROP AS SELECT ${list} FROM ${table} WITH NO DATA`);
	await copyChunks(client, staging, list, chunks);
	const inserted = await client.query(`INSERT INTO ${table} (${list}) SELECT ${list} FROM ${staging} ON CONFLICT DO NOTHING`);
	return inserted.rowCount ?? 0;
}
