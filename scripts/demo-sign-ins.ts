// The demo sign-ins `npm start` prints, kept beside the data so every start can print them again.
// Only fs and path here: end-to-end tests read the file too.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IntegrationsLevel } from '#core/domain/accounts/levels.ts';

export interface DemoSignIn {
	email: string;
	password: string;
	organization: string;
	/** The Manage Integrations level, or "admin" for the organisation admin (who holds delete). */
	level: IntegrationsLevel | 'admin';
}

function demoSignInsFile(dataDir: string): string {
	return path.join(dataDir, 'demo-sign-ins.json');
}

export function saveDemoSignIns(dataDir: string, signIns: DemoSignIn[]): void {
	writeFileSync(demoSignInsFile(dataDir), JSON.stringify(signIns, null, 2), { mode: 0o600 });
}

export function readDemoSignIns(dataDir: string): DemoSignIn[] {
	const file = demoSignInsFile(dataDir);
	return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoSignIn[]) : [];
}
