// Process-wide connections. The adapter-node bundle and our own server module are two module
// graphs in one process, so the instances live on globalThis under one key and both see them.
import { Client, Connection } from '@temporalio/client';
import { readSettings, requireSetting } from '#core/config.ts';
import { connectDatabase, type DatabaseHandle } from '#core/db/connect.ts';
import { closeRealtime, type RealtimeServer } from '#core/realtime/server.ts';

interface Runtime {
	database?: DatabaseHandle;
	temporal?: Client;
	realtime?: RealtimeServer;
}

const key = Symbol.for('tributary.runtime');

function runtime(): Runtime {
	const holder = globalThis as unknown as Record<symbol, Runtime | undefined>;
	return (holder[key] ??= {});
}

export function database(): DatabaseHandle {
	const state = runtime();
	state.database ??= connectDatabase(requireSetting('DATABASE_URL', readSettings().databaseUrl), { name: 'tributary-web' });
	return state.database;
}

export function temporal(): Client {
	const state = runtime();
	if (!state.temporal) {
		const settings = readSettings();
		const connection = Connection.lazy({ address: requireSetting('TEMPORAL_ADDRESS', settings.temporalAddress) });
		state.temporal = new Client({ connection, namespace: settings.temporalNamespace });
	}
	return state.temporal;
}

export function realtime(): RealtimeServer | undefined {
	return runtime().realtime;
}

export function setRealtime(io: RealtimeServer | undefined): void {
	runtime().realtime = io;
}

/** Closes what this process opened (server shutdown, dev-server reload, tests). */
export async function closeRuntime(): Promise<void> {
	const state = runtime();
	const { database: db, temporal: client, realtime: io } = state;
	state.database = state.temporal = state.realtime = undefined;
	if (io) await closeRealtime(io);
	if (client) await client.connection.close();
	if (db) await db.close();
}
