// Demo organisations and users, made only when `npm start` created the database itself on
// embedded defaults (never on a configured DATABASE_URL). Passwords are random per install and
// kept in the data folder so each start can print them again.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { IntegrationsLevel } from '../src/lib/accounts/levels.ts';
import { createOrganization } from '../src/lib/server/accounts/organizations.ts';
import { createUser } from '../src/lib/server/accounts/users.ts';
import type { Database } from '../src/lib/server/db/database.ts';

export interface DemoSignIn {
	email: string;
	password: string;
	organization: string;
	/** The Manage Integrations level, or "admin" for the organisation admin (who holds delete). */
	level: IntegrationsLevel | 'admin';
}

const people: Array<{ organization: string; email: string; name: string; level: IntegrationsLevel; admin?: boolean }> = [
	{ organization: 'Acme', email: 'admin@acme.example', name: 'Ada Admin', level: 'delete', admin: true },
	{ organization: 'Acme', email: 'deleter@acme.example', name: 'Dara Delete', level: 'delete' },
	{ organization: 'Acme', email: 'manager@acme.example', name: 'Max Manage', level: 'manage' },
	{ organization: 'Acme', email: 'viewer@acme.example', name: 'Vic View', level: 'view' },
	{ organization: 'Acme', email: 'none@acme.example', name: 'Nia None', level: 'none' },
	{ organization: 'Globex', email: 'admin@globex.example', name: 'Gus Globex', level: 'delete', admin: true }
];

export async function seedDemo(db: Kysely<Database>): Promise<DemoSignIn[]> {
	const organizations = new Map<string, string>();
	for (const name of new Set(people.map((p) => p.organization))) {
		organizations.set(name, (await createOrganization(db, name)).id);
	}
	const signIns: DemoSignIn[] = [];
	for (const person of people) {
		const password = `demo-${randomBytes(9).toString('base64url')}`;
		await createUser(db, null, {
			organizationId: organizations.get(person.organization)!,
			email: person.email,
			name: person.name,
			password,
			level: person.level,
			isAdmin: person.admin ?? false
		});
		signIns.push({ email: person.email, password, organization: person.organization, level: person.admin ? 'admin' : person.level });
	}
	return signIns;
}

export function demoSignInsFile(dataDir: string): string {
	return path.join(dataDir, 'demo-sign-ins.json');
}

export function saveDemoSignIns(dataDir: string, signIns: DemoSignIn[]): void {
	writeFileSync(demoSignInsFile(dataDir), JSON.stringify(signIns, null, 2), { mode: 0o600 });
}

export function readDemoSignIns(dataDir: string): DemoSignIn[] {
	const file = demoSignInsFile(dataDir);
	return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoSignIn[]) : [];
}

export function signInLine(signIn: DemoSignIn): string {
	return `sign in: ${signIn.email} ${signIn.password} (${signIn.organization}, ${signIn.level})`;
}
