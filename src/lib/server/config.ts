// Settings from the environment, read in one place. Every process (start script, web, worker,
// tests) derives the same values from the same variables.
import path from 'node:path';

export interface Settings {
	/** Where local state lives: embedded Postgres, Temporal's SQLite file, the dev key. */
	dataDir: string;
	databaseUrl: string | undefined;
	temporalAddress: string | undefined;
	temporalNamespace: string;
	taskQueue: string;
	/** Link target for "open in Temporal UI"; unset when the cluster's UI is unknown. */
	temporalUiUrl: string | undefined;
	port: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
	return {
		dataDir: path.resolve(env.TRIBUTARY_DATA_DIR ?? '.data'),
		databaseUrl: env.DATABASE_URL || undefined,
		temporalAddress: env.TEMPORAL_ADDRESS || undefined,
		temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
		taskQueue: env.TEMPORAL_TASK_QUEUE || 'tributary',
		temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
		port: Number(env.PORT || 3000)
	};
}

export function requireSetting(name: string, value: string | undefined): string {
	if (!value) throw new Error(`${name} is not set: start Tributary with \`npm start\`, or set ${name}.`);
	return value;
}
