// How long the browser waits before another handshake after the server refused some in a row.

const firstPauseMs = 1_000;
const longestPauseMs = 30_000;

/** The pause after `refusals` refused handshakes: doubling from 1 s up to 30 s, jittered. */
export function pauseAfter(refusals: number, random: () => number = Math.random): number {
	const ceiling = Math.min(longestPauseMs, firstPauseMs * 2 ** Math.max(0, refusals - 1));
	// Half to all of it, so pages cut off together do not all come back in the same instant.
	return Math.round(ceiling * (0.5 + random() / 2));
}
