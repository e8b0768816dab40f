// Presence (SPEC F11): who else is on the integrations table, an integration's page or its edit
// page, and which field they are editing, across every web process. The list of a place is made
// from the sockets in its room on all processes (fetchSockets through the adapter) whenever
// someone comes, goes or moves to another field, and sent to that room.
import { can } from '#core/domain/accounts/permissions.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Socket as ServerSocket } from 'socket.io';
import {
	parsePresencePlace,
	presenceFieldPattern,
	presenceRoom,
	type ClientToServerEvents,
	type InterServerEvents,
	type PresencePerson,
	type ServerToClientEvents,
	type SocketData
} from '#core/domain/realtime/events.ts';
import type { RealtimeServer } from './server.ts';

type Socket = ServerSocket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Whether the integration is the user's organisation's (a page they may open). */
export type IntegrationCheck = (user: SignedInUser, integrationId: string) => Promise<boolean>;

/** Makes the list of a place and sends it to everyone there. */
export async function announcePresence(io: RealtimeServer, organizationId: string, place: string): Promise<void> {
	const room = presenceRoom(organizationId, place);
	const sockets = await io.in(room).fetchSockets();
	const people = new Map<string, PresencePerson>();
	for (const socket of sockets) {
		const { user, presence } = socket.data;
		if (!user || presence?.place !== place) continue;
		const held = people.get(user.id);
		// A person with two tabs is there once, editing whatever either tab edits.
		if (!held || (!held.editing && presence.editing)) people.set(user.id, { userId: user.id, name: user.name, editing: presence.editing });
	}
	io.to(room).emit('presence.changed', { place, people: [...people.values()].sort((a, b) => a.name.localeCompare(b.name)), at: Date.now() });
}

/** How often at most a place's list is made again for reminders alone, per web process. */
const refreshMs = 10_000;
const refreshed = new Map<string, number>();

function refreshDue(organizationId: string, place: string): boolean {
	const room = presenceRoom(organizationId, place);
	const now = Date.now();
	if (now - (refreshed.get(room) ?? 0) < refreshMs) return false;
	refreshed.set(room, now);
	// Forget places nobody reminded of for a while: the map stays as small as the places in use.
	for (const [key, at] of refreshed) if (now - at > 6 * refreshMs) refreshed.delete(key);
	return true;
}

export function servePresence(io: RealtimeServer, socket: Socket, ownsIntegration: IntegrationCheck, onError: (error: Error) => void): void {
	const announce = (place: string) => announcePresence(io, socket.data.user.organizationId, place).catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));

	async function leave(): Promise<void> {
		const held = socket.data.presence;
		if (!held) return;
		socket.data.presence = undefined;
		await socket.leave(presenceRoom(socket.data.user.organizationId, held.place));
		await announce(held.place);
	}

	// Untrusted input: a place that is none, or one this person may not see, is ignored.
	socket.on('presence.entered', (value, reply) => {
		const answer = (entered: boolean) => typeof reply === 'function' && reply(entered);
		const parsed = parsePresencePlace(value);
		if (!parsed) return answer(false);
		const { user } = socket.data;
		const allowed = can(user, parsed.editing ? 'integrations.manage' : 'integrations.view');
		const check = !allowed ? Promise.resolve(false) : parsed.integrationId ? ownsIntegration(user, parsed.integrationId) : Promise.resolve(true);
		check
			.then(async (ok) => {
				if (!ok) return answer(false);
				if (socket.data.presence?.place !== parsed.place) {
					await leave();
					socket.data.presence = { place: parsed.place, editing: null };
					await socket.join(presenceRoom(user.organizationId, parsed.place));
					await announce(parsed.place);
				} else if (refreshDue(user.organizationId, parsed.place)) {
					// Entering again (a page's periodic reminder) refreshes the list, so people of a process
					// that died meanwhile drop out of it; once a while per place and process, not once per
					// person there (each list goes to everyone at the place).
					await announce(parsed.place);
				}
				answer(true);
			})
			.catch((error: unknown) => {
				onError(error instanceof Error ? error : new Error(String(error)));
				answer(false);
			});
	});

	socket.on('presence.focused', (field) => {
		const held = socket.data.presence;
		if (!held || !held.place.endsWith(':edit')) return;
		const editing = typeof field === 'string' && presenceFieldPattern.test(field) ? field : null;
		if (held.editing === editing) return;
		held.editing = editing;
		void announce(held.place);
	});

	// Gone: the tab closed, the page changed, or the connection dropped (found within the ping timeout).
	socket.on('disconnect', () => {
		const held = socket.data.presence;
		if (held) void announce(held.place);
	});
}

/** Takes a user's sockets, on every process, out of the places their level no longer lets them be. */
export async function leavePresence(io: RealtimeServer, userRoom: string, user: Parameters<typeof can>[0]): Promise<void> {
	for (const socket of await io.in(userRoom).fetchSockets()) {
		const held = socket.data.presence;
		if (!held || can(user, held.place.endsWith(':edit') ? 'integrations.manage' : 'integrations.view')) continue;
		// Through the adapter and awaited (a remote socket's leave() is not): its message goes out
		// through Postgres before the list announced next is asked for, and every process reads
		// both in that order, so the list is made without them.
		const left: Promise<void> | void = io.of('/').adapter.delSockets({ rooms: new Set([socket.id]), except: new Set() }, [presenceRoom(socket.data.user.organizationId, held.place)]);
		await left;
		await announcePresence(io, socket.data.user.organizationId, held.place);
	}
}
