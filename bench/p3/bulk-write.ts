// P3: the product's bulk write path (copyInsert) vs a bare PostgreSQL COPY of the same rows.
// Measured: copyInsert(pool, 'commit_files', …) into the real, empty table: the product's escaping
// and encoding, its transaction and savepoint, its COPY.
// Baseline, same run, same rows: one COPY FROM STDIN (pg-copy-streams, text format) into a table
// made `like commit_files including all` (same columns, primary key and indexes), with the least a
// client must do to produce COPY text: tab-join each row (these rows need no escaping).
// Both sides are timed from in-memory rows to committed data. Rounds alternate which side goes
// first; both tables are truncated and a CHECKPOINT is taken before every run, so neither side
// inherits the other's dirty buffers or a checkpoint in the middle of its COPY.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyInsert, type CopyValue } from '#core/db/bulk.ts';
import { createSystem, type EngineAddresses, type TestSystem } from '../../tests/support/system.ts';
import { benchLine } from '../support/report.ts';
import { median } from '../support/system.ts';
import { seededRandom } from '../../scripts/seeded-random.ts';

const columns = ['organization_id', 'integration_id', 'repo_id', 'sha', 'path', 'additions', 'deletions'] as const;
const baselineTable = 'bench_commit_files_copy';


const roots = ['src', 'src/lib', 'src/routes', 'packages/core/src', 'packages/ui/src', 'services/api/internal', 'docs', 'tests/integration', 'scripts'];
const areas = ['auth', 'billing', 'components', 'db', 'http', 'jobs', 'metrics', 'search', 'settings', 'utils', 'workers', 'i18n'];
const stems = ['index', 'handler', 'client', 'schema', 'queries', 'service', 'types', 'helpers', 'config', 'retry', 'cache', 'format', 'parser', 'view'];
const extensions = ['.ts', '.ts', '.ts', '.svelte', '.go', '.md', '.json', '.sql', '.test.ts'];

/** commit_files rows of a few repositories of one integration: ~1–12 files per commit, realistic paths. */
export function buildRows(count: number): CopyValue[][] {
	const rng = seededRandom(3);
	const organizationId = crypto.randomUUID();
	const integrationId = crypto.randomUUID();
	const repos = Array.from({ length: 8 }, () => crypto.randomUUID());
	const hex = () => Array.from({ length: 5 }, () => Math.floor(rng.next() * 0x100000000).toString(16).padStart(8, '0')).join('');
	const rows: CopyValue[][] = [];
	while (rows.length < count) {
		const repo = rng.pick(repos);
		const sha = hex();
		const paths = new Set<string>();
		for (let files = rng.int(1, 12); paths.size < files && rows.length + paths.size < count; ) {
			paths.add(`${rng.pick(roots)}/${rng.pick(areas)}/${rng.pick(stems)}${rng.int(0, 40) || ''}${rng.pick(extensions)}`);
		}
		for (const path of paths) {
			const big = rng.next() < 0.05;
			rows.push([organizationId, integrationId, repo, sha, path, big ? rng.int(100, 5_000) : rng.int(0, 60), big ? rng.int(0, 2_000) : rng.int(0, 30)]);
		}
	}
	return rows;
}

async function rawCopy(pool: pg.Pool, rows: readonly CopyValue[][]): Promise<void> {
	const client = await pool.connect();
	try {
		const chunks: string[] = [];
		let chunk = '';
		for (const row of rows) {
			chunk += row.join('\t') + '\n';
			if (chunk.length >= 64 * 1024) {
				chunks.push(chunk);
				chunk = '';
			}
		}
		if (chunk) chunks.push(chunk);
		await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${baselineTable} (${columns.join(', ')}) FROM STDIN`)));
	} finally {
		client.release();
	}
}

export async function benchBulkWrite(engines: EngineAddresses, options: { rows?: number; rounds?: number } = {}): Promise<string[]> {
	const count = options.rows ?? 300_000;
	const rounds = options.rounds ?? 4;
	let system: TestSystem | undefined;
	try {
		system = await createSystem(engines);
		const { pool } = system.database;
		await pool.query(`create table ${baselineTable} (like commit_files including all)`);
		const rows = buildRows(count);

		const reset = async () => {
			await pool.query(`truncate commit_files, ${baselineTable}`);
			await pool.query('checkpoint');
		};
		const sides = {
			copy: async () => rawCopy(pool, rows),
			bulk: async () => {
				const inserted = await copyInsert(pool, 'commit_files', columns, rows);
				if (inserted !== count) throw new Error(`copyInsert stored ${inserted} of ${count} rows`);
			}
		};
		const times: Record<keyof typeof sides, number[]> = { copy: [], bulk: [] };

		// Warm-up, not measured, one full run of each: the first COPY of each kind loads catalogues
		// and JIT-compiles encoders, and the first writes of this volume make Postgres create WAL
		// segments that later runs recycle (in a trial the first timed run was 50 % slower).
		await reset();
		await rawCopy(pool, rows);
		await sides.bulk();

		for (let round = 0; round < rounds; round++) {
			const order: Array<keyof typeof sides> = round % 2 === 0 ? ['copy', 'bulk'] : ['bulk', 'copy'];
			for (const side of order) {
				await reset();
				const started = performance.now();
				await sides[side]();
				times[side].push((performance.now() - started) / 1000);
			}
		}
		const stored = await pool.query<{ n: number }>(`select (select count(*) from ${baselineTable})::int as n`);
		if (stored.rows[0]!.n !== count) throw new Error(`the baseline COPY stored ${stored.rows[0]!.n} of ${count} rows`);
		await reset();

		const bulkRate = count / median(times.bulk);
		const copyRate = count / median(times.copy);
		const list = (values: number[]) => values.map((s) => s.toFixed(2)).join(', ');
		console.log(
			`P3 detail: ${count.toLocaleString('en')} commit_files rows, ${rounds} rounds alternating order; ` +
				`copyInsert ${Math.round(bulkRate).toLocaleString('en')} rows/s (${list(times.bulk)} s), ` +
				`bare COPY ${Math.round(copyRate).toLocaleString('en')} rows/s (${list(times.copy)} s)`
		);
		return [benchLine({ id: 'P3', name: 'bulk-write-vs-copy-throughput', value: bulkRate, unit: 'rows/s', baseline: copyRate, target: '>=0.5' })];
	} finally {
		await system?.stop();
	}
}
