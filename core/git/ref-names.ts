// Ref names are bytes to git, and need not be UTF-8; Postgres text and JSON must be. Decoding
// them the usual way turns every invalid byte into U+FFFD, so "v1\xff" and "v1\xfe" would both
// become "v1�": one tag lost, or two rows with the same key that no write accepts. Instead each
// invalid byte is written as \xNN. Git forbids "\" in ref names, so the spelling is unambiguous
// and every tag keeps a name of its own.
const strict = new TextDecoder('utf-8', { fatal: true });

function decodes(bytes: Uint8Array): boolean {
	try {
		strict.decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** A ref name as text: itself when it is UTF-8, else with each invalid byte as `\xNN`. */
export function decodeRefName(bytes: Buffer): string {
	if (decodes(bytes)) return bytes.toString('utf8');
	let text = '';
	for (let i = 0; i < bytes.length; ) {
		// The shortest valid character starting here, if any (UTF-8 characters are 1 to 4 bytes).
		let length = 1;
		while (length <= 4 && !(i + length <= bytes.length && decodes(bytes.subarray(i, i + length)))) length++;
		if (length <= 4) {
			text += bytes.subarray(i, i + length).toString('utf8');
			i += length;
		} else {
			text += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
			i++;
		}
	}
	return text;
}

/** Whether decodeRefName had to escape bytes: git forbids "\" in ref names, so only it writes one. */
export function hasEscapedBytes(name: string): boolean {
	return name.includes('\\');
}

/** Splits git's output at each `separator` byte, without decoding it. */
export function splitBytes(output: Buffer, separator: number): Buffer[] {
	const parts: Buffer[] = [];
	let start = 0;
	for (let end = output.indexOf(separator); end !== -1; end = output.indexOf(separator, start)) {
		parts.push(output.subarray(start, end));
		start = end + 1;
	}
	if (start < output.length) parts.push(output.subarray(start));
	return parts;
}
