// Presence (SPEC F11) across two web processes: who else is on an integration's page and its edit
// page, which field they are in, and that they leave the list when their tab closes. Only the
// organisation's own people with the level for the page are let in, or told who is there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSignIn } from '../../scripts/demo-data.ts';
import { createGenericGitIntegration } from '#core/providers/generic-git/create.ts';
import type { PresenceList } from '#core/domain/realtime/events.ts';
import { connectSocket, createTestSystem, demoUser, signedInUser, signIn, submitAction, waitFor, type RunningWeb, type TestSystem } from '../support/system.ts';

type TestSocket = Awaited<ReturnType<typeof connectSocket>>;

let system: TestSystem;
let webA: RunningWeb;
let webB: RunningWeb;
let demo: DemoSignIn[];
let integrationId: string;
const sockets: TestSocket[] = [];

/** A signed-in socket on `web` that keeps every presence list it hears. */
async function person(web: RunningWeb, email: string): Promise<{ socket: TestSocket; heard: PresenceList[]; enter: (place: string) => Promise<boolean>; last: (place: string) => PresenceList | undefined }> {
	const socket = await connectSocket(web.url, await signIn(web.url, email, demoUser(demo, email).password));
	sockets.push(socket);
	const heard: PresenceList[] = [];
	socket.on('presence.changed', (list) => heard.push(list));
	return {
		socket,
		heard,
		enter: (place) => socket.timeout(5_000).emitWithAck('presence.entered', place),
		last: (place) => heard.filter((list) => list.place === place).sort((a, b) => a.at - b.at).at(-1)
	};
}

const names = (list: PresenceList | undefined) => list?.people.map((p) => p.name) ?? [];

beforeAll(async () => {
	system = await createTestSystem();
	demo = await system.seedDemo();
	[webA, webB] = await Promise.all([system.startWeb(), system.startWeb()]);
	const admin = await signedInUser(system, 'admin@acme.example');
	const integration = await createGenericGitIntegration(system.database.db, admin, {
		name: 'Presence',
		repositories: [{ url: 'https://git.example.com/presence.git', display: 'https://git.example.com/presence.git', name: 'presence' }],
		credentials: { method: 'none' },
		deploymentsFromTags: false
	});
	integrationId = integration.id;
}, 120_000);
afterAll(async () => {
	for (const socket of sockets) socket.close();
	await system?.stop();
});

describe('who else is here', () => {
	it("shows the people on an integration's page, whichever web process serves them, and drops one whose tab closes", async () => {
		const place = `integration:${integrationId}`;
		const manager = await person(webA, 'manager@acme.example');
		const viewer = await person(webB, 'viewer@acme.example');
		expect(await manager.enter(place)).toBe(true);
		expect(await viewer.enter(place)).toBe(true);
		const both = ['Max Manage', 'Vic View'];
		await waitFor('both to see both', async () => JSON.stringify(names(manager.last(place))) === JSON.stringify(both) && JSON.stringify(names(viewer.last(place))) === JSON.stringify(both));

		viewer.socket.close();
		await waitFor('the viewer to leave the manager’s list', async () => JSON.stringify(names(manager.last(place))) === JSON.stringify(['Max Manage']));
	});

	it('says which field someone is editing, and lists a person with two tabs once', async () => {
		const place = `integration:${integrationId}:edit`;
		const editor = await person(webA, 'manager@acme.example');
		const secondTab = await person(webB, 'manager@acme.example');
		const admin = await person(webB, 'admin@acme.example');
		for (const who of [editor, secondTab, admin]) expect(await who.enter(place)).toBe(true);
		editor.socket.emit('presence.focused', 'name');
		await waitFor('the admin to see the manager in the name field', async () =>
			admin.last(place)?.people.some((p) => p.name === 'Max Manage' && p.editing === 'name')
		);
		expect(names(admin.last(place))).toEqual(['Ada Admin', 'Max Manage']);

		// Leaving the field, and a field name that is none, both read as "in no field".
		editor.socket.emit('presence.focused', '<script>');
		await waitFor('the field to clear', async () => admin.last(place)?.people.every((p) => p.editing === null));
		// Moving to the page of the integration leaves the edit page.
		expect(await editor.enter(`integration:${integrationId}`)).toBe(true);
		expect(await secondTab.enter('integrations')).toBe(true);
		await waitFor('the manager to leave the edit page', async () => JSON.stringify(names(admin.last(place))) === JSON.stringify(['Ada Admin']));
	});

	it('lets in only people who may see the place, and tells nobody else who is there', async () => {
		const place = `integration:${integrationId}`;
		const insider = await person(webA, 'deleter@acme.example');
		const stranger = await person(webA, 'admin@globex.example');
		const nobody = await person(webB, 'none@acme.example');
		const viewer = await person(webB, 'viewer@acme.example');
		expect(await stranger.enter(place)).toBe(false);
		expect(await nobody.enter(place)).toBe(false);
		expect(await nobody.enter('integrations')).toBe(false);
		// The edit page is for the manage level.
		expect(await viewer.enter(`${place}:edit`)).toBe(false);
		for (const bad of ['integration:not-an-id', 'integration:../../x', `${place}:delete`, 'system']) expect(await insider.enter(bad)).toBe(false);
		expect(await insider.enter(place)).toBe(true);
		await waitFor('the insider to see the list', async () => names(insider.last(place)).includes('Dara Delete'));
		expect(names(insider.last(place))).not.toContain('Gus Globex');
		expect(stranger.heard.filter((list) => list.place.includes(integrationId))).toEqual([]);
		expect(nobody.heard).toEqual([]);
	});

	it('takes someone out of a place when their level no longer allows it', async () => {
		const place = `integration:${integrationId}`;
		const target = demoUser(demo, 'viewer@acme.example');
		const watcher = await person(webA, 'deleter@acme.example');
		const viewer = await person(webB, 'viewer@acme.example');
		expect(await watcher.enter(place)).toBe(true);
		expect(await viewer.enter(place)).toBe(true);
		await waitFor('the watcher to see the viewer', async () => names(watcher.last(place)).includes('Vic View'));
		const admin = await signIn(webA.url, 'admin@acme.example', demoUser(demo, 'admin@acme.example').password);
		const user = await system.database.db.selectFrom('users').select('id').where('email', '=', target.email).executeTakeFirstOrThrow();
		const changed = await submitAction(webA.url, '/users?/changeLevel', { userId: user.id, level: 'none' }, admin);
		expect(changed.type, JSON.stringify(changed)).toBe('success');
		await waitFor('the viewer to leave the list', async () => !names(watcher.last(place)).includes('Vic View'));
		const heardBefore = viewer.heard.length;
		// Someone else arriving is no longer news to them.
		const another = await person(webA, 'admin@acme.example');
		expect(await another.enter(place)).toBe(true);
		await waitFor('the watcher to see the admin arrive', async () => names(watcher.last(place)).includes('Ada Admin'));
		expect(viewer.heard.slice(heardBefore).filter((list) => list.place === place)).toEqual([]);
	});
});
