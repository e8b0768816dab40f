// The seam's `pullRequests` around a provider's own ingest, alike for every hosted provider: a
// session that hears the quota and heartbeats on every answer and stops with the activity, a
// spent quota (or a cancelled activity) passed on as it is (the workflow waits for the reset), any
// other failure put in the provider's words.
import { rateLimitOf, type ApiQuota, type ProviderContext, type PullRequestRun } from '../provider.ts';

export interface SessionOptions {
	signal: AbortSignal;
	onQuota: (quota: ApiQuota) => void;
	onAnswer: () => void;
}

export async function ingestPullRequestsWith<Session>(
	context: ProviderContext<unknown>,
	run: PullRequestRun,
	noCredentials: string,
	open: (options: SessionOptions) => Session,
	ingest: (session: Session, heartbeat: () => void) => Promise<void>,
	describe: (error: unknown, session: Session) => Error
): Promise<void> {
	if (!context.credentials) throw new Error(noCredentials);
	const session = open({ signal: context.signal, onQuota: (quota) => run.quota(quota), onAnswer: context.heartbeat });
	try {
		await ingest(session, context.heartbeat);
	} catch (error) {
		if (rateLimitOf(error) || context.signal.aborted) throw error;
		throw describe(error, session);
	}
}
