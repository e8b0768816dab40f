// How many repository URLs one person may have tested in a minute (before adding an integration or
// changing its credentials). Each test makes the server connect wherever the URL says, so this
// bounds what one account can make Tributary probe. Counted in Postgres: every web process agrees.
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';

const windowSeconds = 60;

export type UrlTestBudget = { ok: true } | { ok: false; message: string };

/** Counts `urls` tests for the user, or refuses them all, with when enough may be tested again. */
export async function reserveUrlTests(db: Kysely<Database>, userId: string, urls: number, perMinute: number): Promise<UrlTestBudget> {
	// Nothing to test (credentials changed on an integration with no repositories) costs nothing.
	if (urls === 0) return { ok: true };
	if (urls > perMinute) {
		return { ok: false, message: `At most ${perMinute} repositories can be tested at once on this server: add them in parts.` };
	}
	return db.transaction().execute(async (trx) => {
		// One reservation at a time per person, on every web process.
		await sql`select pg_advisory_xact_lock(hashtextextended(${`url-tests:${userId}`}, 0))`.execute(trx);
		const recent = await trx
			.selectFrom('url_tests')
			.select(['urls', 'tested_at'])
			.where('user_id', '=', userId)
			.where('tested_at', '>', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
			.orderBy('tested_at')
			.execute();
		let used = recent.reduce((sum, row) => sum + row.urls, 0);
		if (used + urls > perMinute) {
			// The earliest moment enough of the minute's tests have aged out.
			let freeAt = new Date();
			for (const row of recent) {
				used -= row.urls;
				freeAt = new Date(row.tested_at.getTime() + windowSeconds * 1000);
				if (used + urls <= perMinute) break;
			}
			const seconds = Math.max(1, Math.ceil((freeAt.getTime() - Date.now()) / 1000));
			return {
				ok: false,
				message: `You have had ${perMinute} repository URLs tested in the last minute, the most this server allows: try again in ${seconds} seconds.`
			};
		}
		await trx.insertInto('url_tests').values({ user_id: userId, urls }).execute();
		// Counts older than the window mean nothing; drop them now and then rather than on a timer.
		if (Math.random() < 0.05) await trx.deleteFrom('url_tests').where('tested_at', '<', sql<Date>`now() - interval '1 hour'`).execute();
		return { ok: true };
	});
}
