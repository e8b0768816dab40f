import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { integrationsLevels } from '#core/domain/accounts/levels.ts';
import { listAudit } from '#core/accounts/audit.ts';
import {
	AccountError,
	changeLevel,
	countLevelHolders,
	createUser,
	deactivateUser,
	getUser,
	listUsers
} from '#lib/server/accounts/users.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { choice, email, id, password, readForm, text } from '#core/forms.ts';
import { applyLevelToSockets, disconnectUser } from '#core/realtime/server.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const minimumPasswordLength = 12;

const createUserForm = z.object({
	email: email(),
	name: text('Name', 100),
	password: password('Password', minimumPasswordLength),
	level: choice('Level', integrationsLevels)
});
const changeLevelForm = z.object({
	userId: id('User'),
	level: choice('Level', integrationsLevels),
	confirm: z.literal('yes').optional()
});
const deactivateForm = z.object({ userId: id('User'), confirm: z.literal('yes').optional() });

export const load: PageServerLoad = guard('users.manage', async (_event, user) => {
	const { db } = database();
	const [users, deleteHolders, audit] = await Promise.all([
		listUsers(db, user.organizationId),
		countLevelHolders(db, user.organizationId, 'delete'),
		listAudit(db, { organizationId: user.organizationId, subjectType: 'user', limit: 30 })
	]);
	return { users, deleteHolders, audit, minimumPasswordLength };
});

const notFound = () => fail(404, { message: 'No such user in your organisation.' });

export const actions: Actions = {
	createUser: guard('users.manage', async ({ request }, user) => {
		const form = readForm(await request.formData(), createUserForm);
		if (!form.ok) return fail(400, { create: { errors: form.errors, values: form.values } });
		try {
			const created = await createUser(database().db, user, { organizationId: user.organizationId, ...form.data });
			return { done: `Added ${created.email} with the “${created.level}” level.` };
		} catch (error) {
			if (!(error instanceof AccountError)) throw error;
			return fail(409, { create: { errors: { email: error.message } as Record<string, string>, values: { email: form.data.email, name: form.data.name } as Record<string, string> } });
		}
	}),

	changeLevel: guard('users.manage', async ({ request }, user) => {
		const form = readForm(await request.formData(), changeLevelForm);
		if (!form.ok) return fail(400, { message: Object.values(form.errors).join(' ') });
		const { db } = database();
		const target = await getUser(db, user.organizationId, form.data.userId);
		if (!target) return notFound();
		// Granting delete lets someone remove years of data: the server asks for confirmation.
		if (form.data.level === 'delete' && target.level !== 'delete' && form.data.confirm !== 'yes') {
			return fail(409, {
				confirmGrant: { userId: target.id, email: target.email, holders: await countLevelHolders(db, user.organizationId, 'delete') }
			});
		}
		try {
			const changed = await changeLevel(db, user, target.id, form.data.level);
			// Their open pages hear what the new level may see from now on, on every web process.
			await applyLevelToSockets(realtime(), { ...changed, organizationId: user.organizationId });
			return { done: `${changed.email} now has the “${changed.level}” level.` };
		} catch (error) {
			if (!(error instanceof AccountError)) throw error;
			return fail(400, { message: error.message });
		}
	}),

	deactivate: guard('users.manage', async ({ request }, user) => {
		const form = readForm(await request.formData(), deactivateForm);
		if (!form.ok) return fail(400, { message: Object.values(form.errors).join(' ') });
		const { db } = database();
		const target = await getUser(db, user.organizationId, form.data.userId);
		if (!target) return notFound();
		if (form.data.confirm !== 'yes') return fail(409, { confirmDeactivate: { userId: target.id, email: target.email } });
		try {
			const deactivated = await deactivateUser(db, user, target.id);
			// Their open pages stop receiving anything, on every web process.
			disconnectUser(realtime(), target.id);
			return { done: `${deactivated.email} is deactivated and signed out everywhere.` };
		} catch (error) {
			if (!(error instanceof AccountError)) throw error;
			return fail(400, { message: error.message });
		}
	})
};
