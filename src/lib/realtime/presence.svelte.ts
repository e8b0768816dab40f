// Who else is here (SPEC F11): the page says where it is, and hears who is there, live. Said again
// after every reconnect, and every 20 s (so people of a web process that died drop out), and left
// when the page goes.
import type { PresencePerson } from '#core/domain/realtime/events.ts';
import { realtimeSocket } from './socket.ts';

const reminderMs = 20_000;

export function createPresence(place: () => string) {
	// The place as a value: a page's data reloading (after a form action, or a reconnect) names the
	// same place again, which must not leave and re-enter it (the server sends no list for a place
	// the socket is already in, so the people shown would stay empty until the next reminder).
	const here = $derived(place());
	let people = $state<PresencePerson[]>([]);
	let latest = 0;
	let focusTimer: ReturnType<typeof setTimeout> | undefined;
	let sentField: string | null = null;

	$effect(() => {
		const where = here;
		const socket = realtimeSocket();
		const enter = () => socket.emit('presence.entered', where);
		const onChanged = (list: { place: string; people: PresencePerson[]; at: number }) => {
			if (list.place !== where || list.at < latest) return;
			latest = list.at;
			people = list.people;
		};
		socket.on('presence.changed', onChanged);
		socket.on('connect', enter);
		if (socket.connected) enter();
		const timer = setInterval(() => socket.connected && enter(), reminderMs);
		return () => {
			clearInterval(timer);
			socket.off('presence.changed', onChanged);
			socket.off('connect', enter);
			clearTimeout(focusTimer);
			people = [];
			latest = 0;
			sentField = null;
		};
	});

	return {
		get people() {
			return people;
		},
		/**
		 * On an edit page: the field this person is in now (null when none). Moving from one field to
		 * the next leaves one and enters the other at once: only where they end up goes out.
		 */
		focus(field: string | null) {
			clearTimeout(focusTimer);
			focusTimer = setTimeout(() => {
				if (field === sentField) return;
				sentField = field;
				realtimeSocket().emit('presence.focused', field);
			}, 100);
		}
	};
}
