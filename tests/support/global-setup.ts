import type { TestProject } from 'vitest/node';
import { buildIfStale } from '../../scripts/build.ts';
import { startTestEngines } from './engines.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		postgresUrl: string;
		templateDatabase: string;
		temporalAddress: string;
	}
}

export default async function setup(project: TestProject) {
	// Integration tests run the real web server, which serves the production build.
	await buildIfStale(process.cwd(), (line) => console.log(`[test setup] ${line}`));
	const engines = await startTestEngines();
	project.provide('postgresUrl', engines.postgresUrl);
	project.provide('templateDatabase', engines.templateDatabase);
	project.provide('temporalAddress', engines.temporalAddress);
	return () => engines.stop();
}
