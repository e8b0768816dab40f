// Everything the simulator serves is derived from the seed: a record is found again by hashing
// the seed with where it lives (repository, pull request, kind, index), never by storing it.
import { seededRandom, type SeededRandom } from '../../scripts/seeded-random.ts';

/** A 32-bit hash of small integers (murmur3's finaliser over a running mix). */
export function hash(...parts: number[]): number {
	let h = 0x9e3779b9;
	for (const part of parts) {
		h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
		h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
		h ^= h >>> 16;
	}
	return h >>> 0;
}

/** A number in [0, 1) fixed by `parts`. */
export function fraction(...parts: number[]): number {
	return hash(...parts) / 4294967296;
}

export function randomFor(...parts: number[]): SeededRandom {
	return seededRandom(hash(...parts));
}

/** Deterministic token-like text (base62) from a seed and a label. */
export function tokenText(seed: number, label: number, length: number): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const rng = randomFor(seed, label, 0x70c);
	let text = '';
	for (let i = 0; i < length; i++) text += alphabet[rng.int(0, alphabet.length - 1)];
	return text;
}

export function nodeId(kind: string, id: number): string {
	return Buffer.from(`${kind}:${id}`).toString('base64').replace(/=+$/, '');
}
