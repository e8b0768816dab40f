// Adding a Generic Git integration from code (the demo data, tests, benchmarks): the same row,
// repositories and audit entry the add form stores, without the form.
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { IntegrationSummary } from '#core/domain/integrations/integration.ts';
import { createIntegration } from '#core/integrations/create.ts';
import type { GitCredentials } from '#core/git/run-git.ts';
import { describeCredentials } from './credentials.ts';
import type { ParsedRepository } from './repositories.ts';

export { parseUrls } from './repositories.ts';

export function createGenericGitIntegration(
	db: Kysely<Database>,
	user: SignedInUser,
	input: { name: string; repositories: ParsedRepository[]; credentials: GitCredentials; deploymentsFromTags: boolean }
): Promise<IntegrationSummary> {
	return createIntegration(
		db,
		user,
		'generic-git',
		{
			name: input.name,
			authMethod: input.credentials.method,
			credentials: input.credentials.method === 'none' ? null : input.credentials,
			baseUrl: null,
			settings: {},
			repositories: input.repositories.map((r) => ({ providerId: r.url, url: r.url, display: r.display, name: r.name })),
			deploymentsFromTags: input.deploymentsFromTags
		},
		describeCredentials(input.credentials, user)
	);
}
