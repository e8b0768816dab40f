// JQL compares times to the minute, in the time zone of the account that asks (its profile's):
// "2026-11-30 15:05" means 15:05 there. A mark kept as an instant is written for that zone, and
// rounded down, so the minute it falls in is read again rather than missed.

/** `instant` as JQL's "yyyy-MM-dd HH:mm" in `timeZone` (an IANA name; UTC if the name is unknown). */
export function jqlTime(instant: Date, timeZone: string): string {
	let format: Intl.DateTimeFormat;
	try {
		format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
	} catch {
		format = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
	}
	const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
	return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
