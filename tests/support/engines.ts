// Real engines for tests: a PostgreSQL (DATABASE_URL's server, else embedded in a temporary
// folder) and a Temporal (TEMPORAL_ADDRESS, else a dev server of its own). Never mocks.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectDatabase } from '#core/db/connect.ts';
import { migrateToLatest } from '#core/db/migrate.ts';
import { startEmbeddedPostgres } from '../../scripts/engines/postgres.ts';
import { startTemporalDevServer } from '../../scripts/engines/temporal.ts';

export interface TestEngines {
	/** A server-level URL; tests make their own databases from the migrated template. */
	postgresUrl: string;
	templateDatabase: string;
	temporalAddress: string;
	stop(): Promise<void>;
}

export async function startTestEngines(): Promise<TestEngines> {
	const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-test-'));
	const stops: Array<() => Promise<void>> = [];
	const say = (line: string) => console.log(`[test engines] ${line}`);

	let postgresUrl: string;
	if (process.env.DATABASE_URL) {
		postgresUrl = process.env.DATABASE_URL;
	} else {
		const postgres = await startEmbeddedPostgres(stateDir, 'postgres');
		stops.push(postgres.stop);
		postgresUrl = postgres.url;
	}
	const templateDatabase = `tributary_test_template_${process.pid}`;
	await createDatabase(postgresUrl, templateDatabase);
	stops.push(() => dropDatabase(postgresUrl, templateDatabase));
	const template = connectDatabase(databaseUrl(postgresUrl, templateDatabase), { max: 2 });
	await migrateToLatest(template.db);
	await template.close();

	let temporalAddress = process.env.TEMPORAL_ADDRESS;
	if (!temporalAddress) {
		const temporal = await startTemporalDevServer(stateDir, say);
		stops.push(temporal.stop);
		temporalAddress = temporal.address;
	}

	return {
		postgresUrl,
		templateDatabase,
		temporalAddress,
		async stop() {
			for (const stop of stops.reverse()) await stop().catch(() => {});
			rmSync(stateDir, { recursive: true, force: true });
		}
	};
}

export function databaseUrl(serverUrl: string, database: string): string {
	const url = new URL(serverUrl);
	url.pathname = `/${database}`;
	return url.toString();
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

export function createDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
	return admin(serverUrl, async (client) => {
		await client.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
	});
}

export function dropDatabase(serverUrl: string, name: string): Promise<void> {
	return admin(serverUrl, async (client) => {
		await client.query(`drop database if exists "${name}" with (force)`);
	});
}
