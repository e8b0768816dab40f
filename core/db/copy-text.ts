// COPY's text format written straight from bytes, for rows whose values arrive as bytes (git's
// output): no JavaScript string per value and no UTF-8 round trip, so a large ingest spends its
// time in git and Postgres rather than here. Same escaping as copyField in bulk.ts.
import { isUtf8 } from 'node:buffer';

const backslash = 0x5c;
const tab = 0x09;
const newline = 0x0a;
const carriageReturn = 0x0d;

/** A growing buffer of COPY text rows. Values of a row are separated by `tab()`, rows ended by `endRow()`. */
export class CopyTextWriter {
	#buffer: Buffer;
	#length = 0;
	/** Buffers handed back after use: a long write reuses two or three instead of making new ones. */
	#spares: Buffer[] = [];

	constructor(initialBytes = 1 << 20) {
		this.#buffer = Buffer.allocUnsafe(initialBytes);
	}

	get length(): number {
		return this.#length;
	}

	#reserve(bytes: number): void {
		if (this.#length + bytes <= this.#buffer.length) return;
		const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
		this.#buffer.copy(grown, 0, 0, this.#length);
		this.#buffer = grown;
	}

	/** Bytes that need no escaping (ids, digits, a prefix written before). */
	raw(source: Uint8Array, start = 0, end = source.length): void {
		const length = end - start;
		this.#reserve(length);
		if (length > 64) {
			this.#buffer.set(source.subarray(start, end), this.#length);
		} else {
			// Most values are short: a loop beats a native call and a view for each.
			const out = this.#buffer;
			for (let i = start, at = this.#length; i < end; i++, at++) out[at] = source[i]!;
		}
		this.#length += length;
	}

	/** ASCII text that needs no escaping. */
	ascii(text: string): void {
		this.#reserve(text.length);
		this.#length += this.#buffer.write(text, this.#length, 'latin1');
	}

	/** A non-negative integer. */
	integer(value: number): void {
		if (value < 10) {
			this.#reserve(1);
			this.#buffer[this.#length++] = 0x30 + value;
		} else {
			this.ascii(String(value));
		}
	}

	/**
	 * A timestamptz value from Unix seconds (UTC), as `YYYY-MM-DD HH:MM:SS+00`; false, writing
	 * nothing, for a time Postgres cannot hold. Digits are computed rather than formatted by a
	 * Date: a large ingest writes two per commit.
	 */
	timestamp(unixSeconds: number): boolean {
		if (!Number.isSafeInteger(unixSeconds) || unixSeconds < minSeconds || unixSeconds > maxSeconds) return false;
		const days = Math.floor(unixSeconds / 86_400);
		let second = unixSeconds - days * 86_400;
		const hour = Math.floor(second / 3_600);
		second -= hour * 3_600;
		const minute = Math.floor(second / 60);
		second -= minute * 60;
		// Howard Hinnant's days_from_civil, inverted: the proleptic Gregorian calendar Postgres uses.
		const z = days + 719_468;
		const era = Math.floor(z / 146_097);
		const dayOfEra = z - era * 146_097;
		const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
		const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
		const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
		const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
		const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
		const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
		this.#reserve(32);
		if (year < 1000) this.ascii('0'.repeat(year < 10 ? 3 : year < 100 ? 2 : 1));
		this.integer(year);
		this.#twoDigits(0x2d, month);
		this.#twoDigits(0x2d, day);
		this.#twoDigits(0x20, hour);
		this.#twoDigits(0x3a, minute);
		this.#twoDigits(0x3a, second);
		const out = this.#buffer;
		out[this.#length++] = 0x2b;
		out[this.#length++] = 0x30;
		out[this.#length++] = 0x30;
		return true;
	}

	#twoDigits(separator: number, value: number): void {
		const out = this.#buffer;
		out[this.#length++] = separator;
		out[this.#length++] = 0x30 + Math.floor(value / 10);
		out[this.#length++] = 0x30 + (value % 10);
	}

	/**
	 * A text value from UTF-8 bytes, escaped for COPY. Bytes that are not UTF-8 become U+FFFD, as
	 * decoding them to a string would. NUL cannot occur: callers split their input on it.
	 */
	text(source: Buffer, start: number, end: number, checkUtf8 = true): void {
		if (checkUtf8 && !isUtf8(source.subarray(start, end))) {
			const repaired = Buffer.from(source.toString('utf8', start, end), 'utf8');
			this.text(repaired, 0, repaired.length, false);
			return;
		}
		this.#reserve(2 * (end - start));
		const out = this.#buffer;
		let at = this.#length;
		for (let i = start; i < end; i++) {
			const byte = source[i]!;
			if (byte === backslash || byte === tab || byte === newline || byte === carriageReturn) {
				out[at++] = backslash;
				out[at++] = byte === backslash ? backslash : byte === tab ? 0x74 : byte === newline ? 0x6e : 0x72;
			} else {
				out[at++] = byte;
			}
		}
		this.#length = at;
	}

	tab(): void {
		this.#reserve(1);
		this.#buffer[this.#length++] = tab;
	}

	endRow(): void {
		this.#reserve(1);
		this.#buffer[this.#length++] = newline;
	}

	/** Forgets everything from `length` on (a row that turned out not to be storable). */
	truncate(length: number): void {
		this.#length = Math.min(length, this.#length);
	}

	/**
	 * Hands over the text before `cut` and keeps what follows (a row still being written) at the
	 * start of a fresh buffer, so the returned bytes are never written again.
	 */
	take(cut = this.#length): Buffer {
		const taken = this.#buffer;
		const rest = this.#length - cut;
		const spare = this.#spares.pop();
		this.#buffer = spare && spare.length >= rest ? spare : Buffer.allocUnsafe(Math.max(taken.length, rest));
		taken.copy(this.#buffer, 0, cut, this.#length);
		this.#length = rest;
		return taken.subarray(0, cut);
	}

	/**
	 * Gives back what `take` returned, once nothing reads it any more, for later rows. Megabytes
	 * made anew for every batch would keep the garbage collector busy.
	 */
	recycle(taken: Buffer): void {
		if (this.#spares.length < 2) this.#spares.push(Buffer.from(taken.buffer, taken.byteOffset, taken.buffer.byteLength - taken.byteOffset));
	}
}

// Postgres keeps timestamps from 4713 BC to 294276 AD; git's are seconds since 1970. Year 1
// on is what the digits above can write.
const minSeconds = -62_135_596_800; // 0001-01-01 00:00:00 UTC
const maxSeconds = 9_224_318_015_999; // 294276-12-31 23:59:59 UTC
