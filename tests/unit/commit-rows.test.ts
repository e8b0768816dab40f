import { describe, expect, it } from 'vitest';
import { CopyTextWriter } from '#core/db/copy-text.ts';
import { CommitRowEncoder, type CommitRowBatch } from '#core/git/commit-rows.ts';

const owner = ['org', 'int', 'repo'];
const sha = (n: number) => n.toString(16).padStart(40, '0');

interface Commit {
	sha: string;
	parents?: string[];
	author?: string;
	email?: string;
	at?: number | string;
	subject?: string;
	/** `add\tdel\tpath`, as git prints them. */
	files?: string[];
}

/** What `git log` prints for these commits in log.ts's format, as bytes. */
function logOutput(commits: Commit[]): Buffer {
	const parts: Buffer[] = [];
	for (const c of commits) {
		const at = String(c.at ?? 1_577_836_800);
		const author = c.author ?? 'Zoë Ångström';
		const email = c.email ?? 'zoe@example.com';
		const header = [`\x1e${c.sha}`, (c.parents ?? []).join(' '), author, email, at, author, email, at, c.subject ?? 'Fix parser'];
		parts.push(Buffer.from(header.join('\0') + '\0', 'utf8'));
		(c.files ?? []).forEach((file, index) => parts.push(Buffer.from(`${index === 0 ? '\n' : ''}${file}\0`, 'utf8')));
	}
	return Buffer.concat(parts);
}

/** Feeds the output in chunks of `size` bytes, then takes every batch. */
function encode(output: Buffer, size = output.length): { batches: CommitRowBatch[]; encoder: CommitRowEncoder } {
	const encoder = new CommitRowEncoder(owner);
	const batches: CommitRowBatch[] = [];
	for (let at = 0; at < output.length; at += size) {
		encoder.push(output.subarray(at, at + size));
		const batch = encoder.take();
		if (batch) batches.push(batch);
	}
	encoder.end();
	const last = encoder.take();
	if (last) batches.push(last);
	return { batches, encoder };
}

/** The rows as Postgres would read them: lines, then values split on tabs (escapes kept). */
function rows(text: Buffer | string): string[][] {
	return text
		.toString('utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => line.split('\t'));
}

const allRows = (batches: CommitRowBatch[], table: 'commits' | 'files') => rows(Buffer.concat(batches.map((b) => b[table])));

describe('git log output as COPY rows', () => {
	const commits: Commit[] = [
		{ sha: sha(3), parents: [sha(1), sha(2)], subject: "Merge branch 'feature'" },
		{ sha: sha(2), parents: [sha(1)], subject: 'Fix\tthe C:\\temp parser', files: ['3\t1\tsrc/tab\tname.txt', '-\t-\tassets/logo.bin', '10\t0\tdocs/naïve café.md'] },
		{ sha: sha(1), author: '李雷', subject: 'Initial commit', files: ['5\t0\tREADME.md'] }
	];

	it('writes one commit row per commit, with sums of its files, and one row per file', () => {
		const { batches } = encode(logOutput(commits));
		expect(allRows(batches, 'commits')).toEqual([
			[...owner, sha(3), `{${sha(1)},${sha(2)}}`, 'Zoë Ångström', 'zoe@example.com', '2020-01-01 00:00:00+00', 'Zoë Ångström', 'zoe@example.com', '2020-01-01 00:00:00+00', "Merge branch 'feature'", '0', '0', '0'],
			[...owner, sha(2), `{${sha(1)}}`, 'Zoë Ångström', 'zoe@example.com', '2020-01-01 00:00:00+00', 'Zoë Ångström', 'zoe@example.com', '2020-01-01 00:00:00+00', 'Fix\\tthe C:\\\\temp parser', '13', '1', '3'],
			[...owner, sha(1), '{}', '李雷', 'zoe@example.com', '2020-01-01 00:00:00+00', '李雷', 'zoe@example.com', '2020-01-01 00:00:00+00', 'Initial commit', '5', '0', '1']
		]);
		expect(allRows(batches, 'files')).toEqual([
			[...owner, sha(2), 'src/tab\\tname.txt', '3', '1'],
			[...owner, sha(2), 'assets/logo.bin', '0', '0'],
			[...owner, sha(2), 'docs/naïve café.md', '10', '0'],
			[...owner, sha(1), 'README.md', '5', '0']
		]);
	});

	it('gives the same rows however the output is cut into chunks, mid-value and mid-character included', () => {
		const output = logOutput(commits);
		const whole = encode(output).batches;
		for (const size of [1, 2, 3, 7, 64]) {
			const { batches } = encode(output, size);
			expect(allRows(batches, 'commits')).toEqual(allRows(whole, 'commits'));
			expect(allRows(batches, 'files')).toEqual(allRows(whole, 'files'));
			expect(batches.flatMap((b) => b.shas)).toEqual([sha(3), sha(2), sha(1)]);
		}
	});

	it('keeps a commit still being read out of the batch handed over', () => {
		const output = logOutput(commits);
		const encoder = new CommitRowEncoder(owner);
		// Up to the middle of the second commit's files.
		const cut = output.indexOf('assets/logo.bin');
		encoder.push(output.subarray(0, cut));
		expect(encoder.pendingCommits).toBe(1);
		const first = encoder.take()!;
		expect(first.shas).toEqual([sha(3)]);
		expect(rows(first.files)).toEqual([]);
		encoder.push(output.subarray(cut));
		encoder.end();
		const rest = encoder.take()!;
		expect(rest.shas).toEqual([sha(2), sha(1)]);
		expect(rows(rest.files).map((row) => row[4])).toEqual(['src/tab\\tname.txt', 'assets/logo.bin', 'docs/naïve café.md', 'README.md']);
		expect(rest.commitOffsets).toHaveLength(3);
		// Offsets cut the text into each commit's rows.
		expect(rows(rest.commits.subarray(rest.commitOffsets[1], rest.commitOffsets[2]))[0]![3]).toBe(sha(1));
		expect(rows(rest.files.subarray(rest.fileOffsets[0], rest.fileOffsets[1]))).toHaveLength(3);
	});

	it('escapes what COPY would misread and turns bytes that are not UTF-8 into U+FFFD', () => {
		const output = Buffer.concat([
			logOutput([{ sha: sha(9), subject: 'back\\slash\rreturn' }]).subarray(0, -1),
			Buffer.from([0xff, 0xfe, 0x00])
		]);
		const [row] = allRows(encode(output).batches, 'commits');
		expect(row![11]).toBe('back\\\\slash\\rreturn\ufffd\ufffd');
	});

	it('writes dates past year 9999 as Postgres reads them, and leaves out commits no database can date', () => {
		const { batches, encoder } = encode(
			logOutput([
				{ sha: sha(1), at: 253_402_300_800, files: ['1\t1\ta'] },
				{ sha: sha(2), at: 99_999_999_999_999, files: ['1\t1\tb'] },
				{ sha: sha(3), at: 0 }
			])
		);
		expect(allRows(batches, 'commits').map((row) => [row[3], row[7]])).toEqual([
			[sha(1), '10000-01-01 00:00:00+00'],
			[sha(3), '1970-01-01 00:00:00+00']
		]);
		expect(allRows(batches, 'files').map((row) => row[4])).toEqual(['a']);
		// The left-out commit keeps its place in the log (progress and resuming count it).
		expect(batches.flatMap((b) => b.shas)).toEqual([sha(1), sha(2), sha(3)]);
		expect(encoder.unstorableCommits).toBe(1);
	});
});

describe('COPY timestamps', () => {
	it('match what a Date says, from 1970 to year 9999', () => {
		for (const seconds of [0, 59, 86_399, 86_400, 951_782_400, 1_577_836_799, 4_107_542_400, 253_402_300_799]) {
			const writer = new CopyTextWriter(64);
			expect(writer.timestamp(seconds)).toBe(true);
			const text = writer.take().toString('latin1');
			expect(text).toBe(new Date(seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', '+00'));
		}
	});

	it('refuse what Postgres cannot hold', () => {
		const writer = new CopyTextWriter(64);
		expect(writer.timestamp(9_224_318_016_000)).toBe(false);
		expect(writer.timestamp(Number.NaN)).toBe(false);
		expect(writer.length).toBe(0);
	});
});
