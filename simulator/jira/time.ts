// Jira's clock. Jira writes instants on the reader's wall clock with its offset
// (`2026-11-30T15:05:09.123+0100` for a user in Berlin), and reads JQL date literals
// (`"2026-11-30 15:05"`) as a minute on the searching user's wall clock: the same literal names
// different instants for users in different zones, which is what clients get wrong.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** `zone:hour` → offset in minutes: zones change offset on the hour, so one look-up serves the hour. */
const offsets = new Map<string, number>();

function formatter(zone: string): Intl.DateTimeFormat {
	let format = formatters.get(zone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
		formatters.set(zone, format);
	}
	return format;
}

/** Minutes `zone` is ahead of UTC at the instant `ms`. */
export function offsetMinutes(ms: number, zone: string): number {
	const hour = Math.floor(ms / HOUR);
	const key = `${zone}:${hour}`;
	let offset = offsets.get(key);
	if (offset === undefined) {
		const parts = formatter(zone).formatToParts(new Date(hour * HOUR));
		const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
		const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
		offset = Math.round((wall - hour * HOUR) / MINUTE);
		offsets.set(key, offset);
	}
	return offset;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant as Jira writes it, on `zone`'s wall clock: `2026-11-30T15:05:09.123+0100`. */
export function jiraTime(ms: number, zone = 'UTC'): string {
	const offset = zone === 'UTC' ? 0 : offsetMinutes(ms, zone);
	const d = new Date(ms + offset * MINUTE);
	const sign = offset < 0 ? '-' : '+';
	const abs = Math.abs(offset);
	return (
		`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
		`.${pad(d.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
	);
}

export interface WallMinute {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
}

/** Whether the fields name a real calendar minute (no 31 February, no 24:00). */
export function isValidWallMinute(wall: WallMinute): boolean {
	const ms = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
	const d = new Date(ms);
	return d.getUTCFullYear() === wall.year && d.getUTCMonth() === wall.month - 1 && d.getUTCDate() === wall.day && d.getUTCHours() === wall.hour && d.getUTCMinutes() === wall.minute;
}

/** The instant a minute on `zone`'s wall clock starts (in a spring-forward gap, the hour after). */
export function wallMinuteToInstant(wall: WallMinute, zone: string): number {
	const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
	// Two rounds settle it: the first guess may sit on the other side of a DST change.
	const guess = asUtc - offsetMinutes(asUtc, zone) * MINUTE;
	return asUtc - offsetMinutes(guess, zone) * MINUTE;
}

/** The start of the minute `ms` falls in: JQL compares dates at minute precision. */
export const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/** Rate-limit resets as Jira Cloud writes them: ISO 8601 to the minute, `2026-11-30T14:06Z`. */
export function isoMinute(ms: number): string {
	return `${new Date(floorMinute(ms)).toISOString().slice(0, 16)}Z`;
}
