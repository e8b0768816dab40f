// How the browser's live connection stands, for every page to say, and how it comes back after the
// server refused it. Socket.IO reconnects by itself after a lost connection, but not after the
// server refused its handshake (the session could not be checked, say while Postgres restarts):
// that is retried here, with growing pauses, until it works or the server says to sign in again.
import { signInRefusal } from '#core/domain/realtime/events.ts';
import { pauseAfter } from './reconnect-pause.ts';
import type { RealtimeSocket } from './socket.ts';

export type LiveConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'ended';

// Changed only in the browser, by the one socket's events; the server renders "connecting".
const status = $state<{ state: LiveConnectionState; refusals: number }>({ state: 'connecting', refusals: 0 });

export const liveConnection = {
	get state(): LiveConnectionState {
		return status.state;
	},
	/** Handshakes refused in a row (each waits longer before the next). */
	get refusals(): number {
		return status.refusals;
	}
};

export function keepConnected(socket: RealtimeSocket): void {
	let retry: ReturnType<typeof setTimeout> | undefined;
	socket.on('connect', () => {
		status.state = 'connected';
		status.refusals = 0;
	});
	socket.on('disconnect', () => {
		// Not active: the server closed it on purpose (signed out, deactivated).
		status.state = socket.active ? 'reconnecting' : 'ended';
	});
	socket.on('connect_error', (error) => {
		// A lost transport: Socket.IO retries by itself.
		if (socket.active) {
			status.state = 'reconnecting';
			return;
		}
		if (error.message === signInRefusal) {
			status.state = 'ended';
			return;
		}
		status.state = 'reconnecting';
		status.refusals += 1;
		clearTimeout(retry);
		retry = setTimeout(() => socket.connect(), pauseAfter(status.refusals));
	});
}
