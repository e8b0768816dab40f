// Sign-in attempts are limited per account and per client address. Failures live in Postgres so
// every web process counts the same ones.
import { sql, type Kysely } from 'kysely';
import type { Database } from '#lib/server/db/database.ts';

const signInWindowMs = 60_000;
export const limits = { account: 5, address: 20 } as const;

export function accountKey(email: string): string {
	return `account:${email.trim().toLowerCase()}`;
}

export function addressKey(address: string): string {
	return `address:${address}`;
}

/** When the next attempt is allowed, or null when it is allowed now. */
export async function blockedUntil(db: Kysely<Database>, keys: { account: string; address: string }): Promise<Date | null> {
	const rows = await db
		.selectFrom('sign_in_failures')
		.select(['key', sql<number>`count(*)::int`.as('failures'), sql<Date>`min(failed_at)`.as('oldest')])
		.where('key', 'in', [keys.account, keys.address])
		.where('failed_at', '>', sql<Date>`now() - make_interval(secs => ${signInWindowMs / 1000})`)
		.groupBy('key')
		.execute();
	let until: Date | null = null;
	for (const row of rows) {
		const limit = row.key === keys.account ? limits.account : limits.address;
		if (row.failures >= limit) {
			const free = new Date(row.oldest.getTime() + signInWindowMs);
			if (!until || free > until) until = free;
		}
	}
	return until;
}

export async function recordFailure(db: Kysely<Database>, keys: { account: string; address: string }): Promise<void> {
	await db.insertInto('sign_in_failures').values([{ key: keys.account }, { key: keys.address }]).execute();
	// Old failures count for nothing; drop them now and then rather than on a timer.
	if (Math.random() < 0.05) {
		await db.deleteFrom('sign_in_failures').where('failed_at', '<', sql<Date>`now() - interval '1 hour'`).execute();
	}
}

export async function clearAccountFailures(db: Kysely<Database>, account: string): Promise<void> {
	await db.deleteFrom('sign_in_failures').where('key', '=', account).execute();
}
