// Starts a simulator for one test file, in its own data dir (kept between runs, so the git
// repositories are generated once), and makes field clients for it.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Gitlab } from '@gitbeaker/rest';
import { Octokit } from 'octokit';
import type { Kysely } from 'kysely';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Service } from '#core/domain/integrations/providers.ts';
import type { Database } from '#core/db/database.ts';
import { createIntegration } from '#core/integrations/create.ts';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/launch.ts';

export async function startTestSimulator(name: string, options: Omit<SimulatorOptions, 'dataDir'> = {}): Promise<RunningSimulator> {
	return startSimulator({
		dataDir: path.join(os.tmpdir(), 'tributary-simulator-tests', name),
		orgs: 2,
		reposPerOrg: 3,
		pullRequests: 40,
		commits: 60,
		...options
	});
}

/** The field client as the product makes it, with the retry plugin's waits shortened for tests. */
export function github(baseUrl: string, auth?: string, options: ConstructorParameters<typeof Octokit>[0] = {}): Octokit {
	return new Octokit({
		baseUrl,
		auth,
		userAgent: 'tributary-tests',
		retry: { retryAfterBaseValue: 10 },
		log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
		...options
	});
}

/** GitLab's field client (gitbeaker, on the global fetch) for the simulator's GitLab host, `<origin>/gitlab`. */
export function gitlab(host: string, token: string) {
	return new Gitlab({ host, token });
}

/**
 * A GitHub Enterprise Server integration on the simulator with its classic token, as the add form
 * stores one: no repositories (its first update discovers them) and, when given, only `services`.
 */
export async function addSimulatedGitHub(
	db: Kysely<Database>,
	user: SignedInUser,
	simulator: Pick<RunningSimulator, 'http' | 'https' | 'tokens' | 'caFile'>,
	options: { name: string; credentialSummary: string; overHttps?: boolean; services?: Service[]; deploymentsFromTags?: boolean; autoImportAll?: boolean }
): Promise<string> {
	const integration = await createIntegration(
		db,
		user,
		'github-enterprise',
		{
			name: options.name,
			authMethod: 'personal-access-token',
			credentials: { method: 'personal-access-token', token: simulator.tokens.classic },
			baseUrl: options.overHttps ? simulator.https : simulator.http,
			settings: {
				...(options.overHttps ? { caCertificate: readFileSync(simulator.caFile, 'utf8') } : {}),
				...(options.autoImportAll ? { autoImportAll: true } : {})
			},
			repositories: [],
			deploymentsFromTags: options.deploymentsFromTags ?? false
		},
		options.credentialSummary
	);
	if (options.services) await db.updateTable('integrations').set({ services: JSON.stringify(options.services) }).where('id', '=', integration.id).execute();
	return integration.id;
}

/** A self-managed GitLab integration on the simulator's GitLab (plain HTTP) with its full token: its first update discovers the projects. */
export async function addSimulatedGitLab(
	db: Kysely<Database>,
	user: SignedInUser,
	simulator: Pick<RunningSimulator, 'gitlab'>,
	options: { name: string; credentialSummary: string; services?: Service[] }
): Promise<string> {
	const integration = await createIntegration(
		db,
		user,
		'gitlab-self-managed',
		{
			name: options.name,
			authMethod: 'personal-access-token',
			credentials: { method: 'personal-access-token', token: simulator.gitlab.tokens.full },
			baseUrl: simulator.gitlab.http,
			settings: { autoImportAll: true },
			repositories: [],
			deploymentsFromTags: false
		},
		options.credentialSummary
	);
	if (options.services) await db.updateTable('integrations').set({ services: JSON.stringify(options.services) }).where('id', '=', integration.id).execute();
	return integration.id;
}
