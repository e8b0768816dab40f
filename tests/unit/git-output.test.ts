// Reading what git prints: its progress on standard error, and ref names that need not be UTF-8.
import { describe, expect, it } from 'vitest';
import { describeGitProgress, gitProgressPhase, parseGitProgress } from '#core/git/progress.ts';
import { decodeRefName, hasEscapedBytes } from '#core/git/ref-names.ts';
import { describeSkips } from '#core/git/skipped.ts';

describe("git's progress lines", () => {
	it.each([
		['Receiving objects:  45% (4500/10000), 1.20 MiB | 2.00 MiB/s', { phase: 'Receiving objects', done: 4500, total: 10000, remote: false }],
		['Resolving deltas: 100% (555/555), done.', { phase: 'Resolving deltas', done: 555, total: 555, remote: false }],
		['remote: Counting objects:   7% (70/997)        ', { phase: 'Counting objects', done: 70, total: 997, remote: true }],
		['remote: Enumerating objects: 997, done.        ', { phase: 'Enumerating objects', done: 997, total: null, remote: true }],
		['Checking connectivity: 14055, done.', { phase: 'Checking connectivity', done: 14055, total: null, remote: false }]
	])('%s', (line, progress) => {
		expect(parseGitProgress(line)).toEqual(progress);
	});

	it('leaves errors, hints and totals alone (they are kept for the error message)', () => {
		for (const line of ['fatal: unable to access: 404', 'error: 12 refs failed', 'remote: Total 997 (delta 555), reused 975 (delta 537)', 'From file:///x', ' * [new tag] v1 -> v1']) {
			expect(parseGitProgress(line)).toBeNull();
		}
	});

	it('reads as words beside a bar, with the count where git knows no total', () => {
		const receiving = parseGitProgress('Receiving objects:  45% (4500/10000)')!;
		expect(describeGitProgress(receiving)).toBe('Receiving objects: 4,500 of 10,000');
		expect(gitProgressPhase(receiving)).toBe('Receiving objects');
		expect(gitProgressPhase(parseGitProgress('remote: Enumerating objects: 12345')!)).toBe('Enumerating objects: 12,345');
	});
});

describe('ref names as text', () => {
	it('keeps UTF-8 names as they are', () => {
		for (const name of ['v1.0.0', 'release/naïve-café', 'タグ', 'emoji-🚀']) {
			expect(decodeRefName(Buffer.from(name))).toBe(name);
			expect(hasEscapedBytes(name)).toBe(false);
		}
	});

	it('writes each byte that is not UTF-8 as \\xNN, so names that differ only there stay different', () => {
		const a = decodeRefName(Buffer.from([0x76, 0x31, 0xff]));
		const b = decodeRefName(Buffer.from([0x76, 0x31, 0xfe]));
		expect([a, b]).toEqual(['v1\\xff', 'v1\\xfe']);
		expect(hasEscapedBytes(a)).toBe(true);
		// A broken sequence in the middle of valid characters: only its own bytes are escaped.
		expect(decodeRefName(Buffer.concat([Buffer.from('café-'), Buffer.from([0xc3, 0x28]), Buffer.from('-ü')]))).toBe('café-\\xc3(-ü');
		// A character cut short at the end.
		expect(decodeRefName(Buffer.from([0x61, 0xe2, 0x82]))).toBe('a\\xe2\\x82');
	});
});

describe('what an ingest could not store, in words', () => {
	it('says nothing when everything was stored', () => {
		expect(describeSkips({ commits: 0, tagDates: 0, tagNames: 0 })).toBeNull();
	});

	it('counts each kind and says why', () => {
		expect(describeSkips({ commits: 1, tagDates: 2, tagNames: 1 })).toBe(
			'1 commit not stored: dated beyond the years a database can hold. 2 tags kept without a date: dated beyond the years a database can hold. 1 tag name is not valid UTF-8: the odd bytes are shown as \\xNN.'
		);
		expect(describeSkips({ commits: 1_234, tagDates: 0, tagNames: 0 })).toBe('1,234 commits not stored: dated beyond the years a database can hold.');
	});
});
