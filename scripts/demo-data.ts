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

/** The demo GitHub integration's name: how later starts find it to point its webhook at this run. */
const demoGitHubName = 'Demo GitHub (simulator)';
/** The same for the demo GitLab integration. */
const demoGitLabName = 'Demo GitLab (simulator)';
/** The same for the demo Bitbucket Data Center integration. */
const demoBitbucketName = 'Demo Bitbucket (simulator)';
/** The same for the demo Azure DevOps integration. */
const demoAzureName = 'Demo Azure DevOps (simulator)';
/** The same for the demo Jira Data Center integration. */
const demoJiraName = 'Demo Jira (simulator)';
/** What the demo Azure DevOps integration's service hooks are subscribed to. */
const azureEvents = ['git.push', 'git.pullrequest.created', 'git.pullrequest.updated', 'git.pullrequest.merged', 'ms.vss-code.git-pullrequest-comment-event'] as const;

/**
 * The demo's steps use the web process's own code (its database and Temporal connections, which
 * read their settings from this process's environment): give this process the system's.
 */
function useSystemEnvironment(env: NodeJS.ProcessEnv): void {
	for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TRIBUTARY_SECRET_KEY', 'TRIBUTARY_GIT_PRIVATE_NETWORKS', 'TRIBUTARY_DATA_DIR'] as const) {
		if (env[key] === undefined) delete process.env[key];
		else process.env[key] = env[key];
	}
}

/**
 * The demo GitHub Enterprise Server integration (first start on embedded defaults): the
 * simulator's organisations with a token, through its HTTPS address and its CA, like a
 * self-hosted server with a self-signed certificate. Its first update discovers the repositories
 * and ingests commits, tags and pull requests.
 */
export async function addDemoGitHubIntegration(simulator: { https: string; caFile: string; tokens: { classic: string } }, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
	const name = await addDemoHostedIntegration(
		'github-enterprise',
		{ name: demoGitHubName, token: simulator.tokens.classic, baseUrl: simulator.https, caFile: simulator.caFile, deploymentsFromTags: true },
		env
	);
	say(`demo integration “${name}” added: a GitHub Enterprise Server simulated at ${simulator.https}; its first update is running`);
}

/**
 * The demo self-managed GitLab (first start on embedded defaults): the same simulator's GitLab,
 * at `<https>/gitlab`, with a personal access token and the CA, like a server with a self-signed
 * certificate. Its groups, subgroups and personal namespace are discovered by its first update.
 */
export async function addDemoGitLabIntegration(simulator: { caFile: string; gitlab: { https: string; tokens: { full: string } } }, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
	const name = await addDemoHostedIntegration(
		'gitlab-self-managed',
		{ name: demoGitLabName, token: simulator.gitlab.tokens.full, baseUrl: simulator.gitlab.https, caFile: simulator.caFile, deploymentsFromTags: false },
		env
	);
	say(`demo integration “${name}” added: a self-managed GitLab simulated at ${simulator.gitlab.https}; its first update is running`);
}

/**
 * The demo Bitbucket Data Center (first start on embedded defaults): the same simulator's
 * Bitbucket at `<https>/bitbucket-dc`, with sim-user's HTTP access token and the CA. Its projects
 * (and sim-user's personal one) are discovered by its first update.
 */
export async function addDemoBitbucketIntegration(
	simulator: { caFile: string; bitbucketDataCenter: { https: string; username: string; tokens: { full: string } } },
	env: NodeJS.ProcessEnv,
	say: (line: string) => void
): Promise<void> {
	const server = simulator.bitbucketDataCenter;
	const name = await addDemoHostedIntegration(
		'bitbucket-data-center',
		{
			name: demoBitbucketName,
			token: server.tokens.full,
			credentials: { method: 'personal-access-token', token: server.tokens.full, username: server.username },
			baseUrl: server.https,
			caFile: simulator.caFile,
			deploymentsFromTags: false,
			summary: `HTTP access token of ${server.username} (the simulator’s demo account)`
		},
		env
	);
	say(`demo integration “${name}” added: a Bitbucket Data Center simulated at ${server.https}; its first update is running`);
}

/**
 * The demo Azure DevOps (first start on embedded defaults): the simulator's organisation of Acme,
 * at `<https>/azure-devops/<org>` (what dev.azure.com/<org> would be), with a personal access token
 * and the CA. Its projects are discovered by its first update.
 */
export async function addDemoAzureIntegration(
	simulator: { caFile: string; azureDevOps: { https: string; organizations: string[]; tokens: { full: string } } },
	env: NodeJS.ProcessEnv,
	say: (line: string) => void
): Promise<void> {
	const url = `${simulator.azureDevOps.https}/${simulator.azureDevOps.organizations[0]}`;
	const name = await addDemoHostedIntegration(
		'azure-devops',
		{ name: demoAzureName, token: simulator.azureDevOps.tokens.full, baseUrl: url, caFile: simulator.caFile, deploymentsFromTags: false, summary: 'Personal access token of sim-user@example.com (the simulator’s demo account)' },
		env
	);
	say(`demo integration “${name}” added: an Azure DevOps organisation simulated at ${url}; its first update is running`);
}

/**
 * The demo Jira Data Center (first start on embedded defaults): the simulator's Jira at
 * `<https>/jira-dc`, with a personal access token and the CA. Every project it lists is imported
 * (the integration's “auto-import all projects” on), so its first update brings their tickets.
 */
export async function addDemoJiraIntegration(simulator: { caFile: string; jiraDataCenter: { https: string; username: string; tokens: { full: string } } }, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
	const server = simulator.jiraDataCenter;
	const name = await addDemoHostedIntegration(
		'jira-data-center',
		{ name: demoJiraName, token: server.tokens.full, baseUrl: server.https, caFile: simulator.caFile, deploymentsFromTags: false, summary: `Personal access token of ${server.username} (the simulator’s demo account)`, settings: { autoImportTicketProjects: true } },
		env
	);
	say(`demo integration “${name}” added: a Jira Data Center simulated at ${server.https}; its first update is running`);
}

/** A hosted kind's demo integration in Acme, by its admin, with the simulator's token and CA; its first update started. */
async function addDemoHostedIntegration(
	kind: 'github-enterprise' | 'gitlab-self-managed' | 'bitbucket-data-center' | 'azure-devops' | 'jira-data-center',
	demo: { name: string; token: string; baseUrl: string; caFile: string; deploymentsFromTags: boolean; credentials?: Record<string, string>; summary?: string; settings?: Record<string, unknown> },
	env: NodeJS.ProcessEnv
): Promise<string> {
	useSystemEnvironment(env);
	const { readFileSync } = await import('node:fs');
	const { database } = await import('../src/lib/server/runtime.ts');
	const { createIntegration } = await import('#core/integrations/create.ts');
	const { startUpdate } = await import('../src/lib/server/integrations/operations.ts');
	const { db } = database();
	const user = await findSignedInUser(db, 'admin@acme.example');
	if (!user) throw new Error('The demo admin admin@acme.example is missing: the demo people are made first.');
	const integration = await createIntegration(
		db,
		user,
		kind,
		{
			name: demo.name,
			authMethod: 'personal-access-token',
			credentials: demo.credentials ?? { method: 'personal-access-token', token: demo.token },
			baseUrl: demo.baseUrl,
			settings: { caCertificate: readFileSync(demo.caFile, 'utf8'), autoImportAll: true, ...demo.settings },
			repositories: [],
			deploymentsFromTags: demo.deploymentsFromTags
		},
		demo.summary ?? 'Personal access token of sim-user (the simulator’s demo account)'
	);
	await startUpdate(user, integration.id);
	return integration.name;
}

interface DemoSimulator {
	https: string;
	orgs: string[];
	control: {
		registerHook(input: { owner: string; url: string; secret?: string; events?: string[] }): Promise<unknown>;
		gitlab: { registerHook(input: { project: string; url: string; token?: string; events?: string[] }): Promise<unknown> };
		bitbucketDataCenter: { registerHook(input: { repository: string; url: string; secret?: string }): Promise<unknown> };
		azureDevOps: { subscribe(input: { project: string; url: string; eventType: (typeof azureEvents)[number]; username?: string; password?: string }): Promise<unknown> };
		jira: { dataCenter: { registerWebhook(input: { url: string; secret?: string }): Promise<unknown> } };
	};
	gitlab: { https: string; projects: string[] };
	bitbucketDataCenter: { https: string; repositories: string[] };
	azureDevOps: { https: string; organizations: string[]; projects: string[] };
	jiraDataCenter: { https: string };
}

/**
 * Every start: the simulator forgets its webhooks when it stops, so each demo integration of it
 * gets its webhook secret (made at the first start, kept since) and the simulator a hook to this
 * run's web server (pushes, pull and merge requests made through its control API then reach the
 * product). Also follows the simulator to new ports.
 */
export async function connectDemoWebhook(simulator: DemoSimulator, appUrl: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
	// On a second start nothing was added before this: it needs the system's settings itself.
	useSystemEnvironment(env);
	const github = await demoWebhook(demoGitHubName, simulator.https);
	if (github) {
		for (const owner of simulator.orgs) await simulator.control.registerHook({ owner, url: `${appUrl}/webhooks/${github.endpoint}`, secret: github.secret, events: ['*'] });
		say(`demo webhook: the simulated GitHub delivers to ${appUrl}/webhooks/… (${simulator.orgs.join(', ')})`);
	}
	const gitlab = await demoWebhook(demoGitLabName, simulator.gitlab.https);
	if (gitlab) {
		const events = ['push', 'tag_push', 'merge_requests', 'note'];
		for (const project of simulator.gitlab.projects) await simulator.control.gitlab.registerHook({ project, url: `${appUrl}/webhooks/${gitlab.endpoint}`, token: gitlab.secret, events });
		say(`demo webhook: the simulated GitLab delivers to ${appUrl}/webhooks/… (${simulator.gitlab.projects.length} projects)`);
	}
	const bitbucket = await demoWebhook(demoBitbucketName, simulator.bitbucketDataCenter.https);
	if (bitbucket) {
		const { repositories } = simulator.bitbucketDataCenter;
		for (const repository of repositories) await simulator.control.bitbucketDataCenter.registerHook({ repository, url: `${appUrl}/webhooks/${bitbucket.endpoint}`, secret: bitbucket.secret });
		say(`demo webhook: the simulated Bitbucket delivers to ${appUrl}/webhooks/… (${repositories.length} repositories)`);
	}
	const organization = simulator.azureDevOps.organizations[0]!;
	const azure = await demoWebhook(demoAzureName, `${simulator.azureDevOps.https}/${organization}`);
	if (azure) {
		// Service hooks authenticate with a user name and password: the password is the secret.
		const projects = simulator.azureDevOps.projects.filter((project) => project.startsWith(`${organization}/`));
		for (const project of projects) {
			for (const eventType of azureEvents) await simulator.control.azureDevOps.subscribe({ project, url: `${appUrl}/webhooks/${azure.endpoint}`, eventType, username: 'tributary', password: azure.secret });
		}
		say(`demo webhook: the simulated Azure DevOps delivers to ${appUrl}/webhooks/… (${projects.length} projects)`);
	}
	const jira = await demoWebhook(demoJiraName, simulator.jiraDataCenter.https);
	if (jira) {
		await simulator.control.jira.dataCenter.registerWebhook({ url: `${appUrl}/webhooks/${jira.endpoint}`, secret: jira.secret });
		say(`demo webhook: the simulated Jira delivers to ${appUrl}/webhooks/…`);
	}
}

/** The demo integration's webhook endpoint and secret (made once), its address following the simulator's. */
async function demoWebhook(name: string, address: string): Promise<{ endpoint: string; secret: string } | undefined> {
	const { database } = await import('../src/lib/server/runtime.ts');
	const { currentWebhook, rotateWebhookSecret } = await import('#core/integrations/webhooks.ts');
	const { db } = database();
	const integration = await db.selectFrom('integrations').select(['id', 'organization_id', 'base_url']).where('name', '=', name).where('data_status', '!=', 'deleting').executeTakeFirst();
	if (!integration) return undefined;
	if (integration.base_url && integration.base_url !== address) {
		// The simulator had to take other ports this time: its address and clone URLs follow.
		await db.updateTable('integrations').set({ base_url: address }).where('id', '=', integration.id).execute();
	}
	// The secret made at the first start is kept (the Webhooks tab shows when it was set); only the
	// simulator, which forgot its hooks, hears it again.
	return (await currentWebhook(db, integration.id)) ?? (await rotateWebhookSecret(db, integration.organization_id, integration.id));
}
