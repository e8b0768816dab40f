// Turns `git log` output (the format in log.ts) into COPY rows for `commits` and `commit_files`
// as it arrives, chunk by chunk: bytes in, bytes out, no object or string per value. Each chunk
// is a millisecond of work, so git never waits long for its pipe to be read.
import { isUtf8 } from 'node:buffer';
import { CopyTextWriter } from '#core/db/copy-text.ts';

const nul = 0x00;
const tab = 0x09;
const newline = 0x0a;
const space = 0x20;
const recordSeparator = 0x1e;
const braces = Buffer.from('{}');
const comma = Buffer.from(',');

/** The columns of the rows this writes, in order (the log format's fields, then the sums). */
export const commitColumns = [
	'organization_id',
	'integration_id',
	'repo_id',
	'sha',
	'parents',
	'author_name',
	'author_email',
	'authored_at',
	'committer_name',
	'committer_email',
	'committed_at',
	'subject',
	'additions',
	'deletions',
	'files_changed'
] as const;
export const fileColumns = ['organization_id', 'integration_id', 'repo_id', 'sha', 'path', 'additions', 'deletions'] as const;

/** The header fields of a commit in the log format, in order; the subject ends the header. */
const headerFields = 9;
const subjectField = headerFields - 1;

/** Commits whose rows are ready to store, in log order. */
export interface CommitRowBatch {
	/** Every commit of the batch in log order, stored or not. */
	shas: string[];
	/** Where each commit's rows start in `commits` and `files`, plus one entry for the end. */
	commitOffsets: number[];
	fileOffsets: number[];
	/** COPY text for commitColumns and fileColumns. */
	commits: Buffer;
	files: Buffer;
	fileCount: number;
}

export class CommitRowEncoder {
	readonly #owner: Buffer;
	readonly #commits = new CopyTextWriter();
	readonly #files = new CopyTextWriter();
	#leftover: Buffer | null = null;
	/** The header field the next token fills; `headerFields` once the files are being read; -1 before any commit. */
	#field = -1;
	/** Whether the commit being read can be stored (a date out of any database's range cannot). */
	#storable = true;
	/** The owner ids and the commit id with their tabs: how each of the commit's file rows starts. */
	readonly #rowPrefix = Buffer.alloc(512);
	#rowPrefixLength = 0;
	#additions = 0;
	#deletions = 0;
	#filesChanged = 0;
	#shas: string[] = [];
	#commitOffsets: number[] = [];
	#fileOffsets: number[] = [];
	#fileCount = 0;
	#unstorable = 0;

	/** `owner`: the organization, integration and repo ids every row starts with. */
	constructor(owner: readonly string[]) {
		this.#owner = Buffer.from(owner.map((id) => `${id}\t`).join(''), 'latin1');
		this.#owner.copy(this.#rowPrefix);
	}

	/** Finished commits waiting in the current batch. */
	get pendingCommits(): number {
		return this.#shas.length - (this.#field >= 0 ? 1 : 0);
	}

	get pendingFiles(): number {
		return this.#fileCount;
	}

	/** Commits left out so far because no database can hold their dates. */
	get unstorableCommits(): number {
		return this.#unstorable;
	}

	push(chunk: Buffer): void {
		const data = this.#leftover ? Buffer.concat([this.#leftover, chunk]) : chunk;
		const last = data.lastIndexOf(nul);
		if (last < 0) {
			this.#leftover = data;
			return;
		}
		// Valid UTF-8 almost always: one check for the whole chunk, per value only when not.
		const checkUtf8 = !isUtf8(data.subarray(0, last));
		let start = 0;
		while (start <= last) {
			const end = data.indexOf(nul, start);
			this.#token(data, start, end, checkUtf8);
			start = end + 1;
		}
		this.#leftover = last + 1 < data.length ? data.subarray(last + 1) : null;
	}

	/** The output has ended: the last commit is finished. */
	end(): void {
		if (this.#leftover) {
			const data = this.#leftover;
			this.#leftover = null;
			this.#token(data, 0, data.length, !isUtf8(data));
		}
		if (this.#field >= 0) this.#finishCommit();
		this.#field = -1;
	}

	/** Hands over the finished commits; a commit still being read stays for the next batch. */
	take(): CommitRowBatch | null {
		const count = this.pendingCommits;
		if (count === 0) return null;
		const reading = this.#field >= 0;
		const commitCut = reading ? this.#commitOffsets[count]! : this.#commits.length;
		const fileCut = reading ? this.#fileOffsets[count]! : this.#files.length;
		const batch: CommitRowBatch = {
			shas: this.#shas.slice(0, count),
			commitOffsets: [...this.#commitOffsets.slice(0, count), commitCut],
			fileOffsets: [...this.#fileOffsets.slice(0, count), fileCut],
			commits: this.#commits.take(commitCut),
			files: this.#files.take(fileCut),
			fileCount: this.#fileCount
		};
		this.#shas = this.#shas.slice(count);
		this.#commitOffsets = reading ? [0] : [];
		this.#fileOffsets = reading ? [0] : [];
		this.#fileCount = 0;
		return batch;
	}

	/** Takes back a batch's text once it is stored, to write later batches into. */
	recycle(batch: CommitRowBatch): void {
		this.#commits.recycle(batch.commits);
		this.#files.recycle(batch.files);
	}

	#token(data: Buffer, start: number, end: number, checkUtf8: boolean): void {
		if (this.#field >= 0 && this.#field < headerFields) this.#headerField(data, start, end, checkUtf8);
		else if (data[start] === recordSeparator) this.#startCommit(data, start + 1, end);
		else if (this.#field === headerFields && end > start) this.#file(data, start, end, checkUtf8);
	}

	#startCommit(data: Buffer, start: number, end: number): void {
		if (this.#field >= 0) this.#finishCommit();
		this.#field = 1;
		this.#storable = true;
		this.#additions = 0;
		this.#deletions = 0;
		this.#filesChanged = 0;
		this.#shas.push(data.toString('latin1', start, end));
		this.#commitOffsets.push(this.#commits.length);
		this.#fileOffsets.push(this.#files.length);
		// An object id is at most 64 hex digits; anything longer is not a commit git would print.
		const idEnd = Math.min(end, start + 64);
		const prefix = this.#rowPrefix;
		let at = this.#owner.length;
		for (let i = start; i < idEnd; i++) prefix[at++] = data[i]!;
		prefix[at++] = tab;
		this.#rowPrefixLength = at;
		this.#commits.raw(prefix, 0, at);
	}

	#headerField(data: Buffer, start: number, end: number, checkUtf8: boolean): void {
		const field = this.#field++;
		if (!this.#storable) return;
		const out = this.#commits;
		switch (field) {
			case 1:
				// Parents, space-separated ids: a text[] literal (ids need no quotes).
				out.raw(braces, 0, 1);
				for (let from = start; from < end; ) {
					const to = indexBetween(data, space, from, end);
					out.raw(data, from, to < 0 ? end : to);
					if (to < 0) break;
					out.raw(comma);
					from = to + 1;
				}
				out.raw(braces, 1, 2);
				break;
			case 4:
			case 7:
				if (!out.timestamp(parseDigits(data, start, end))) return this.#dropCommit();
				break;
			default:
				out.text(data, start, end, checkUtf8);
		}
		// After the subject come the files (the field count has reached headerFields).
		if (field !== subjectField) out.tab();
	}

	#file(data: Buffer, start: number, end: number, checkUtf8: boolean): void {
		// The first file of a commit follows a blank line: `\n12\t3\tpath`. Binary files count `-`.
		if (data[start] === newline) start++;
		const firstTab = indexBetween(data, tab, start, end);
		const secondTab = firstTab < 0 ? -1 : indexBetween(data, tab, firstTab + 1, end);
		if (secondTab < 0) return;
		const additions = parseDigits(data, start, firstTab);
		const deletions = parseDigits(data, firstTab + 1, secondTab);
		this.#additions += additions;
		this.#deletions += deletions;
		this.#filesChanged++;
		if (!this.#storable) return;
		const out = this.#files;
		out.raw(this.#rowPrefix, 0, this.#rowPrefixLength);
		out.text(data, secondTab + 1, end, checkUtf8);
		out.tab();
		out.integer(additions);
		out.tab();
		out.integer(deletions);
		out.endRow();
		this.#fileCount++;
	}

	#finishCommit(): void {
		if (!this.#storable) return;
		if (this.#field < headerFields) {
			// The output ended inside a header: nothing to store of it.
			return this.#dropCommit();
		}
		const out = this.#commits;
		out.tab();
		out.integer(this.#additions);
		out.tab();
		out.integer(this.#deletions);
		out.tab();
		out.integer(this.#filesChanged);
		out.endRow();
	}

	/** Leaves the commit being read out of the batch's rows (it keeps its place in `shas`). */
	#dropCommit(): void {
		this.#storable = false;
		this.#unstorable++;
		this.#commits.truncate(this.#commitOffsets.at(-1)!);
		this.#files.truncate(this.#fileOffsets.at(-1)!);
	}
}

function indexBetween(data: Buffer, byte: number, start: number, end: number): number {
	for (let i = start; i < end; i++) if (data[i] === byte) return i;
	return -1;
}

/** A decimal number; anything else (`-` for a binary file) counts as 0. */
function parseDigits(data: Buffer, start: number, end: number): number {
	let value = 0;
	for (let i = start; i < end; i++) {
		const digit = data[i]! - 0x30;
		if (digit < 0 || digit > 9) return 0;
		value = value * 10 + digit;
	}
	return value;
}
