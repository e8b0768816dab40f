// What an ingest read but could not store as it is. A hostile or broken repository must not make
// its own ingest fail forever: such data is left out (or kept in a form that can be stored),
// counted, and told on the repository in one sentence, never retried.

export interface IngestSkips {
	/** Commits left out: their dates are beyond what a database can hold. */
	commits: number;
	/** Tags kept without their date, for the same reason. */
	tagDates: number;
	/** Tags whose names are not UTF-8, kept with \xNN for the odd bytes. */
	tagNames: number;
}

const plural = (count: number, one: string, many: string) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

/** The note shown with the repository, or null when everything was stored as git has it. */
export function describeSkips(skips: IngestSkips): string | null {
	const sentences: string[] = [];
	if (skips.commits > 0) {
		sentences.push(`${plural(skips.commits, 'commit', 'commits')} not stored: dated beyond the years a database can hold.`);
	}
	if (skips.tagDates > 0) {
		sentences.push(`${plural(skips.tagDates, 'tag', 'tags')} kept without a date: dated beyond the years a database can hold.`);
	}
	if (skips.tagNames > 0) {
		sentences.push(`${plural(skips.tagNames, 'tag name is', 'tag names are')} not valid UTF-8: the odd bytes are shown as \\xNN.`);
	}
	return sentences.length > 0 ? sentences.join(' ') : null;
}
