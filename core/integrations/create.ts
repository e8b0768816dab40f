// Storing a new integration of any kind: its row (credentials sealed), its repositories, and the
// audit entry, in one transaction.
import type { Kysely } from 'kysely';
import { recordAudit } from '#core/accounts/audit.ts';
import { credentialsBinding, encryptCredentials } from '#core/crypto/credentials.ts';
import type { Database } from '#core/db/database.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { IntegrationSummary } from '#core/domain/integrations/integration.ts';
import { defaultServicesOf, type ProviderKind } from '#core/domain/integrations/providers.ts';
import type { IntegrationDraft } from '#core/providers/provider.ts';
import { getIntegration } from './queries.ts';

export class DuplicateRepositoryError extends Error {}

export async function createIntegration(
	db: Kysely<Database>,
	user: SignedInUser,
	kind: ProviderKind,
	draft: IntegrationDraft,
	credentialSummary: string
): Promise<IntegrationSummary> {
	const id = crypto.randomUUID();
	try {
		await db.transaction().execute(async (trx) => {
			await trx
				.insertInto('integrations')
				.values({
					id,
					organization_id: user.organizationId,
					kind,
					name: draft.name,
					auth_method: draft.authMethod,
					credentials: draft.credentials === null ? null : encryptCredentials(draft.credentials, credentialsBinding(id)),
					credential_summary: credentialSummary,
					services: JSON.stringify(defaultServicesOf(kind)),
					deployments_from_tags: draft.deploymentsFromTags,
					base_url: draft.baseUrl,
					settings: JSON.stringify(draft.settings),
					status_detail: null,
					last_updated_at: null,
					added_by_id: user.id,
					added_by_email: user.email
				})
				.execute();
			if (draft.repositories.length > 0) {
				await trx
					.insertInto('repos')
					.values(
						draft.repositories.map((r) => ({
							organization_id: user.organizationId,
							integration_id: id,
							provider_id: r.providerId,
							url: r.url,
							name: r.name,
							imported: r.imported ?? true,
							archived: r.archived ?? false,
							fork: r.fork ?? false,
							status_detail: null,
							last_updated_at: null,
							cursor: null
						}))
					)
					.execute();
			}
			await recordAudit(trx, {
				organizationId: user.organizationId,
				actor: user,
				subject: { type: 'integration', id, label: draft.name },
				action: 'integration.created',
				after: { kind, repositories: draft.repositories.map((r) => r.display), auth: draft.authMethod, ...(draft.baseUrl ? { baseUrl: draft.baseUrl } : {}) }
			});
		});
	} catch (error) {
		// Two people adding the same repository at once: the unique index decides, with a message.
		if ((error as { code?: string }).code === '23505') throw new DuplicateRepositoryError('One of these repositories was just added by someone else.');
		throw error;
	}
	return (await getIntegration(db, user.organizationId, id))!;
}
