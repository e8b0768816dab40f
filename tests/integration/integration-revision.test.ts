// Every change to an integration's row bumps the revision its summary carries (a trigger, so no
// writer can forget): the browser keeps the newer of an event and a page load by it, so an event
// that raced with a reload is neither lost nor applied over fresher data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntegrationById, setIntegrationStatus } from '#core/integrations/queries.ts';
import { createGenericGitIntegration } from '#core/providers/generic-git/create.ts';
import { createTestSystem, signedInUser, type TestSystem } from '../support/system.ts';

let system: TestSystem;

beforeAll(async () => {
	system = await createTestSystem();
	await system.seedDemo();
});
afterAll(async () => {
	await system?.stop();
});

describe("an integration's revision", () => {
	it('grows with every change to its row, whoever writes it', async () => {
		const admin = await signedInUser(system, 'admin@acme.example');
		const { id } = await createGenericGitIntegration(system.database.db, admin, {
			name: 'Revisions',
			repositories: [{ url: 'https://git.example/revisions.git', display: 'git.example/revisions.git', name: 'revisions' }],
			credentials: { method: 'none' },
			deploymentsFromTags: false
		});
		const first = (await getIntegrationById(system.database.db, id))!.revision;
		await setIntegrationStatus(system.database.db, id, 'processing', null);
		const processing = (await getIntegrationById(system.database.db, id))!;
		expect(processing.dataStatus).toBe('processing');
		expect(processing.revision).toBeGreaterThan(first);
		// A write that knows nothing of revisions (here plain SQL) bumps it too.
		await system.database.pool.query(`update integrations set data_status = 'healthy' where id = $1`, [id]);
		const healthy = (await getIntegrationById(system.database.db, id))!;
		expect(healthy.revision).toBeGreaterThan(processing.revision);
	});
});
