// The time, moving: for what changes with the clock and not with events (durations, time left).

/** `now` follows the clock every `everyMs` while the component using it is on the page. */
export function createClock(everyMs = 1_000) {
	let now = $state(Date.now());
	$effect(() => {
		const timer = setInterval(() => (now = Date.now()), everyMs);
		return () => clearInterval(timer);
	});
	return {
		get now() {
			return now;
		}
	};
}
