// Adding and editing a Generic Git integration: read the form, check every URL (allowed, not
// already here, not in its cooldown), reach every repository with the given credentials, and
// only then store anything.
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { parseRepositoryUrl } from '#core/domain/integrations/git-url.ts';
import type { IntegrationSummary } from '#core/domain/integrations/integration.ts';
import { recordAudit } from '#core/accounts/audit.ts';
import { readSettings, type Settings } from '#core/config.ts';
import { credentialsBinding, encryptCredentials } from '#core/crypto/credentials.ts';
import type { Database } from '#core/db/database.ts';
import { choice, text } from '#core/forms.ts';
import { testRepositories as testEach } from '../../git/ls-remote.ts';
import type { GitCredentials } from '../../git/run-git.ts';
import { getIntegration } from '../../integrations/queries.ts';
import { reserveUrlTests } from '../../integrations/url-test-limits.ts';

const gitAuthMethods = ['none', 'https-token', 'ssh-key'] as const;
const maxRepositoriesPerIntegration = 200;

const optionalSecret = (label: string, max: number) =>
	z
		.string({ error: `${label} must be text.` })
		.max(max, `${label} can be at most ${max} characters.`)
		.refine((v) => !v.includes('\u0000'), `${label} contains a NUL character.`)
		.optional();

export const genericGitForm = z.object({
	name: text('Name', 100),
	urls: text('Repository URLs', 40_000),
	authMethod: choice('Authentication', gitAuthMethods),
	username: optionalSecret('Username', 200),
	token: optionalSecret('Token', 4_000),
	privateKey: optionalSecret('Private key', 20_000),
	deploymentsFromTags: z.literal('on').optional()
});
export type GenericGitForm = z.infer<typeof genericGitForm>;

export interface ParsedRepository {
	url: string;
	display: string;
	name: string;
}

export type Check<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

export function parseUrls(input: string, settings: Settings = readSettings()): Check<ParsedRepository[]> {
	const lines = input.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
	if (lines.length === 0) return { ok: false, errors: { urls: 'Add at least one repository URL.' } };
	if (lines.length > maxRepositoriesPerIntegration) {
		return { ok: false, errors: { urls: `At most ${maxRepositoriesPerIntegration} repositories per integration.` } };
	}
	const problems: string[] = [];
	const repositories = new Map<string, ParsedRepository>();
	lines.forEach((line, index) => {
		const parsed = parseRepositoryUrl(line, settings.gitAllowedSchemes, settings.gitLocalRepositories);
		if (!parsed.ok) problems.push(`Line ${index + 1}: ${parsed.message}`);
		else repositories.set(parsed.url, { url: parsed.url, display: parsed.display, name: parsed.name });
	});
	if (problems.length > 0) return { ok: false, errors: { urls: problems.join(' ') } };
	return { ok: true, value: [...repositories.values()] };
}

/**
 * The credentials a form asks for. When editing, a form that leaves every secret field empty keeps
 * the sealed value without coming here; one that changes part of them must give them all, since
 * the web process never opens the stored secret to fill the rest in.
 */
export function credentialsFrom(form: GenericGitForm, repositories: ParsedRepository[], editing = false): Check<GitCredentials> {
	const needs = (...schemes: string[]) => repositories.filter((r) => !schemes.some((s) => r.url.startsWith(`${s}://`))).map((r) => r.display);
	switch (form.authMethod) {
		case 'none':
			return { ok: true, value: { method: 'none' } };
		case 'https-token': {
			const others = needs('https', 'http');
			if (others.length > 0) return { ok: false, errors: { authMethod: `A token works only for https:// URLs; these are not: ${others.join(', ')}.` } };
			const username = form.username?.trim();
			const token = form.token;
			const errors: Record<string, string> = {};
			if (!username) errors.username = editing ? 'Type the username again to change the token: the two are tested together.' : 'Username is required for token authentication.';
			if (!token) errors.token = editing ? 'Type the token again to change the username: the two are tested together.' : 'Token is required.';
			return username && token ? { ok: true, value: { method: 'https-token', username, token } } : { ok: false, errors };
		}
		case 'ssh-key': {
			const others = needs('ssh');
			if (others.length > 0) return { ok: false, errors: { authMethod: `An SSH key works only for SSH URLs; these are not: ${others.join(', ')}.` } };
			const privateKey = form.privateKey?.trim() ? `${form.privateKey.trim()}\n` : undefined;
			if (!privateKey) return { ok: false, errors: { privateKey: 'Paste the private key (the whole "-----BEGIN … PRIVATE KEY-----" block).' } };
			if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
				return { ok: false, errors: { privateKey: 'This does not look like a private key: it should start with "-----BEGIN" and end with "PRIVATE KEY-----".' } };
			}
			return { ok: true, value: { method: 'ssh-key', privateKey } };
		}
	}
}

export function describeCredentials(credentials: GitCredentials, user: SignedInUser): string {
	switch (credentials.method) {
		case 'none':
			return 'No credentials: public repositories';
		case 'https-token':
			return `HTTPS token of “${credentials.username}”, entered by ${user.email}`;
		case 'ssh-key':
			return `SSH private key, entered by ${user.email}`;
	}
}

/** Refusals for URLs that are already here, being deleted, or in their cooldown after a deletion. */
export async function checkAvailability(
	db: Kysely<Database>,
	organizationId: string,
	repositories: ParsedRepository[],
	exceptIntegrationId?: string
): Promise<string[]> {
	const urls = repositories.map((r) => r.url);
	const hours = readSettings().reAddCooldownHours;
	const problems: string[] = [];
	const reported = new Set<string>();
	let present = db
		.selectFrom('repos')
		.innerJoin('integrations', 'integrations.id', 'repos.integration_id')
		.select(['repos.url', 'integrations.name', 'integrations.data_status'])
		.where('repos.organization_id', '=', organizationId)
		.where('repos.url', 'in', urls);
	if (exceptIntegrationId) present = present.where('repos.integration_id', '!=', exceptIntegrationId);
	for (const row of await present.execute()) {
		reported.add(row.url);
		problems.push(
			row.data_status === 'deleting'
				? `${row.url} belongs to “${row.name}”, which is being deleted; it can be added again ${hours} hours after that finishes.`
				: `${row.url} is already added, in “${row.name}”.`
		);
	}
	const cooling = await db
		.selectFrom('removed_accounts')
		.select(['account', 'integration_name', 'removed_at', sql<Date>`removed_at + make_interval(hours => ${hours})`.as('free_at')])
		.where('organization_id', '=', organizationId)
		.where('account', 'in', urls)
		.where(sql<boolean>`removed_at + make_interval(hours => ${hours}) > now()`)
		.execute();
	for (const row of cooling) {
		if (reported.has(row.account)) continue;
		problems.push(
			`${row.account} was in “${row.integration_name}”, deleted ${row.removed_at.toISOString().replace('T', ' ').slice(0, 16)} UTC; it can be added again from ${row.free_at.toISOString().replace('T', ' ').slice(0, 16)} UTC.`
		);
	}
	return problems;
}

export type RepositoryTests = { limited: string } | { failures: string[] };

/**
 * Reaches every repository (a few at a time) and returns one sentence per failure; or, when the
 * person has had too many URLs tested this minute, tests nothing and says when they may.
 */
export async function testRepositories(
	db: Kysely<Database>,
	user: SignedInUser,
	repositories: ParsedRepository[],
	credentials: GitCredentials
): Promise<RepositoryTests> {
	const settings = readSettings();
	const budget = await reserveUrlTests(db, user.id, repositories.length, settings.urlTestsPerMinute);
	if (!budget.ok) return { limited: budget.message };
	const results = await testEach(
		repositories.map((r) => r.url),
		credentials,
		settings
	);
	return { failures: results.flatMap((result, index) => (result.ok ? [] : [`${repositories[index]!.display}: ${result.message}`])) };
}

export class DuplicateRepositoryError extends Error {}

export async function createGenericGitIntegration(
	db: Kysely<Database>,
	user: SignedInUser,
	input: { name: string; repositories: ParsedRepository[]; credentials: GitCredentials; deploymentsFromTags: boolean }
): Promise<IntegrationSummary> {
	const id = crypto.randomUUID();
	try {
		await db.transaction().execute(async (trx) => {
			await trx
				.insertInto('integrations')
				.values({
					id,
					organization_id: user.organizationId,
					kind: 'generic-git',
					name: input.name,
					auth_method: input.credentials.method,
					credentials: input.credentials.method === 'none' ? null : encryptCredentials(input.credentials, credentialsBinding(id)),
					credential_summary: describeCredentials(input.credentials, user),
					services: JSON.stringify(['repos']),
					deployments_from_tags: input.deploymentsFromTags,
					status_detail: null,
					last_updated_at: null,
					added_by_id: user.id,
					added_by_email: user.email
				})
				.execute();
			await trx
				.insertInto('repos')
				.values(
					input.repositories.map((r) => ({
						organization_id: user.organizationId,
						integration_id: id,
						url: r.url,
						name: r.name,
						status_detail: null,
						last_updated_at: null,
						cursor: null
					}))
				)
				.execute();
			await recordAudit(trx, {
				organizationId: user.organizationId,
				actor: user,
				subject: { type: 'integration', id, label: input.name },
				action: 'integration.created',
				after: { kind: 'generic-git', repositories: input.repositories.map((r) => r.display), auth: input.credentials.method }
			});
		});
	} catch (error) {
		// Two people adding the same repository at once: the unique index decides, with a message.
		if ((error as { code?: string }).code === '23505') throw new DuplicateRepositoryError('One of these repositories was just added by someone else.');
		throw error;
	}
	return (await getIntegration(db, user.organizationId, id))!;
}
