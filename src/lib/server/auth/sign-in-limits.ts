// Sign-in attempts are limited per client address and per account, combined the way OWASP's
// authentication cheat sheet describes: failures count against the account whatever address they
// come from, yet a stranger who keeps an account locked must not lock its owner out, so an
// address that has not failed on the account may still try (one try at a time while the account
// is under attack). Attempts live in Postgres so every web process counts the same ones.
//
// An attempt is counted before its password is checked, in one locked step: parallel requests
// cannot all pass the check before any of them is counted. A right password then takes its
// attempt back.
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';

const windowSeconds = 60;
export const limits = {
	/** Failed sign-ins a minute from one address, whatever the accounts. */
	address: 20,
	/** Failed sign-ins a minute on one account from one address. */
	accountFromAddress: 5,
	/** Failed sign-ins a minute on one account from anywhere; beyond it, only addresses that have not failed on it may try. */
	account: 5
} as const;

export interface SignInKeys {
	account: string;
	address: string;
	/** The account as tried from this address. */
	accountFromAddress: string;
}

export function signInKeys(email: string, address: string): SignInKeys {
	const account = `account:${email.trim().toLowerCase()}`;
	return { account, address: `address:${address}`, accountFromAddress: `${account} from:${address}` };
}

export type Attempt = { allowed: true; ids: string[] } | { allowed: false; until: Date };

interface Count {
	failures: number;
	oldest: Date;
	newest: Date;
}

const freeAt = (time: Date) => new Date(time.getTime() + windowSeconds * 1000);

/** When the next attempt is allowed, or null when it is allowed now. */
function refusedUntil(counts: Map<string, Count>, keys: SignInKeys): Date | null {
	const address = counts.get(keys.address);
	const pair = counts.get(keys.accountFromAddress);
	const account = counts.get(keys.account);
	const until: Date[] = [];
	if (address && address.failures >= limits.address) until.push(freeAt(address.oldest));
	if (pair && pair.failures >= limits.accountFromAddress) until.push(freeAt(pair.oldest));
	// A locked account still lets in an address with no failure on it (its owner, elsewhere).
	if (pair && account && account.failures >= limits.account) until.push(freeAt(pair.newest));
	return until.length === 0 ? null : new Date(Math.max(...until.map((d) => d.getTime())));
}

/** Counts an attempt, or refuses it with the time the next one is allowed. */
export async function beginSignInAttempt(db: Kysely<Database>, keys: SignInKeys): Promise<Attempt> {
	return db.transaction().execute(async (trx) => {
		// One attempt at a time per address, then per account (always in this order: no deadlock),
		// on every web process. The locks end with the transaction.
		for (const key of [keys.address, keys.account]) {
			await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
		}
		const rows = await trx
			.selectFrom('sign_in_failures')
			.select(['key', sql<number>`count(*)::int`.as('failures'), sql<Date>`min(failed_at)`.as('oldest'), sql<Date>`max(failed_at)`.as('newest')])
			.where('key', 'in', [keys.address, keys.account, keys.accountFromAddress])
			.where('failed_at', '>', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
			.groupBy('key')
			.execute();
		const until = refusedUntil(new Map(rows.map((row) => [row.key, row])), keys);
		if (until) return { allowed: false, until };
		// Counted as a failure until the password proves right.
		const counted = await trx
			.insertInto('sign_in_failures')
			.values([{ key: keys.address }, { key: keys.account }, { key: keys.accountFromAddress }])
			.returning('id')
			.execute();
		return { allowed: true, ids: counted.map((row) => row.id) };
	});
}

/** The password was right: this attempt, and this address's earlier failures on the account, count for nothing. */
export async function signInSucceeded(db: Kysely<Database>, keys: SignInKeys, attempt: { ids: string[] }): Promise<void> {
	await db
		.deleteFrom('sign_in_failures')
		.where((eb) => eb.or([eb('id', 'in', attempt.ids), eb('key', '=', keys.accountFromAddress)]))
		.execute();
}

/** Old failures count for nothing; drop them now and then rather than on a timer. */
export async function forgetOldFailures(db: Kysely<Database>): Promise<void> {
	if (Math.random() < 0.05) {
		await db.deleteFrom('sign_in_failures').where('failed_at', '<', sql<Date>`now() - interval '1 hour'`).execute();
	}
}
