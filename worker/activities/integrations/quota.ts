// The provider's quota as an ingest hears it (pull requests, tickets): kept on the integration for
// its page at most once a second while answers come, once more when the ingest ends, and a spent
// quota turned into the non-retryable RateLimited failure the workflow waits out with a timer.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { StoredQuota } from '#core/db/tables/integrations.ts';
import { rateLimitOf, type ApiQuota } from '#core/providers/provider.ts';
import { rateLimitFailureType, type RateLimitDetails } from '../../../workflows/integrations/contract.ts';

const writeEveryMs = 1_000;

const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;
export const rateLimitedUntil = (details: RateLimitDetails) =>
	`Rate limited until ${hhmm(details.resetAt)}${details.limit === null ? '' : ` (${details.remaining ?? 0} of ${details.limit} requests left)`}; it resumes by itself then.`;

const storedQuota = (quota: ApiQuota): StoredQuota => ({ limit: quota.limit, remaining: quota.remaining, resetAt: quota.resetAt.toISOString(), seenAt: new Date().toISOString() });

export interface QuotaKeeper {
	/** Hears the quota after an answer (the run's `quota`). */
	hear(quota: ApiQuota): void;
	/** Waits for the writes under way and stores the last quota heard. */
	settle(): Promise<void>;
	/** If `error` says the quota is spent: stores it as spent and returns the RateLimited failure to throw. */
	spent(error: unknown): Promise<ApplicationFailure | undefined>;
}

export function quotaKeeper(db: Kysely<Database>, integrationId: string): QuotaKeeper {
	let last: ApiQuota | undefined;
	let written = 0;
	let writing: Promise<void> = Promise.resolve();
	const save = async (quota: ApiQuota) => {
		await db.updateTable('integrations').set({ quota: JSON.stringify(storedQuota(quota)) }).where('id', '=', integrationId).execute();
	};
	return {
		hear(quota) {
			last = quota;
			if (Date.now() - written < writeEveryMs) return;
			written = Date.now();
			writing = writing.then(() => save(quota)).catch((error: unknown) => Context.current().log.warn('could not store the quota', { error: String(error) }));
		},
		async settle() {
			await writing;
			if (last) await save(last);
		},
		async spent(error) {
			const limited = rateLimitOf(error);
			if (!limited) return undefined;
			await writing;
			const quota = limited.quota ?? last;
			if (quota) await save({ ...quota, remaining: limited.quota ? quota.remaining : 0, resetAt: limited.resetAt });
			const details: RateLimitDetails = { resetAt: limited.resetAt.toISOString(), limit: quota?.limit ?? null, remaining: limited.quota?.remaining ?? 0 };
			return ApplicationFailure.create({ message: rateLimitedUntil(details), type: rateLimitFailureType, nonRetryable: true, details: [details] });
		}
	};
}
