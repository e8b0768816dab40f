// Demo organisations and users, made only when `npm start` created the database itself on
// embedded defaults (never on a configured DATABASE_URL). Passwords are random per install and
// kept in the data folder so each start can print them again.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { IntegrationsLevel } from '#core/domain/accounts/levels.ts';
import { createOrganization } from '../src/lib/server/accounts/organizations.ts';
import { createUser } from '../src/lib/server/accounts/users.ts';
import type { Database } from '#core/db/database.ts';
import { findSignedInUser } from '../src/lib/server/accounts/signed-in-user.ts';
import type { DemoSignIn } from './demo-sign-ins.ts';

export { readDemoSignIns, saveDemoSignIns, type DemoSignIn } from './demo-sign-ins.ts';


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


export function signInLine(signIn: DemoSignIn): string {
	return `sign in: ${signIn.email} ${signIn.password} (${signIn.organization}, ${signIn.level})`;
}

/**
 * The demo integration's own repositories: the only local paths a server on embedded defaults
 * reads (TRIBUTARY_GIT_LOCAL_REPOS); `file://` stays off for everything else.
 */
export function demoRepositoryPaths(root: string, dataDir: string): string[] {
	const paths = [path.join(dataDir, 'demo-repos', 'acme-service')];
	if (existsSync(path.join(root, '.git'))) paths.push(root);
	return paths;
}

/**
 * The demo integration (first start on embedded defaults): a generated repository with a few
 * thousand commits, branches and tags, and this project's own clone when run from one. Runs in
 * the start process after the worker and web are up, then leaves the update to them.
 */
export async function addDemoIntegration(root: string, dataDir: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
	for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TRIBUTARY_SECRET_KEY', 'TRIBUTARY_GIT_SCHEMES', 'TRIBUTARY_GIT_LOCAL_REPOS', 'TRIBUTARY_DATA_DIR'] as const) {
		if (env[key] === undefined) delete process.env[key];
		else process.env[key] = env[key];
	}
	const { generateRepository } = await import('./generate-repo.ts');
	const { database } = await import('../src/lib/server/runtime.ts');
	const { createGenericGitIntegration, parseUrls } = await import('#core/providers/generic-git/create.ts');
	const { startUpdate } = await import('../src/lib/server/integrations/operations.ts');

	const paths = demoRepositoryPaths(root, dataDir);
	const generated = paths[0]!;
	if (!existsSync(generated)) {
		say('generating a demo repository (3,000 commits)…');
		await generateRepository(generated, { commits: 3_000, branches: 6, tags: 25, seed: 7 });
	}
	const repositories = parseUrls(paths.map((p) => `file://${p}`).join('\n'));
	if (!repositories.ok) {
		say(`demo integration skipped: ${Object.values(repositories.errors).join(' ')}`);
		return;
	}
	const { db } = database();
	const user = await findSignedInUser(db, 'admin@acme.example');
	if (!user) throw new Error('The demo admin admin@acme.example is missing: the demo people are made first.');
	const integration = await createGenericGitIntegration(db, user, {
		name: 'Demo repositories',
		repositories: repositories.value,
		credentials: { method: 'none' },
		deploymentsFromTags: true
	});
	await startUpdate(user, integration.id);
	say(`demo integration “${integration.name}” added (${repositories.value.length} repositories); its first update is running`);
}
