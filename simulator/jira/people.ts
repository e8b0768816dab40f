// The people of the simulated Jira, the same on both sites: the token owner `sim-user`, four
// colleagues who get assigned work, and `sim-viewer`, an account that may sign in but lacks
// Browse Projects everywhere. Cloud knows them by account id, Data Center by username and key.
import { hash } from '../github/hash.ts';

export interface JiraUser {
	index: number;
	/** Cloud: `712020:<uuid>` (newer accounts) or 24 hex digits (older ones). */
	accountId: string;
	/** Data Center's username (`name`) and user key (`key`, `JIRAUSER10000`…). */
	name: string;
	key: string;
	displayName: string;
	email: string;
	/** The profile's time zone on each site; JQL dates are read in the searching user's. */
	timeZone: { cloud: string; dc: string };
	/** Whether Browse Projects is granted to them (on every project). */
	browses: boolean;
}

const ROSTER: Array<Omit<JiraUser, 'index' | 'accountId' | 'key'>> = [
	{ name: 'sim-user', displayName: 'Sam Simulator', email: 'sim-user@example.com', timeZone: { cloud: 'Europe/Berlin', dc: 'America/New_York' }, browses: true },
	{ name: 'ada', displayName: 'Ada Lovelace', email: 'ada@example.com', timeZone: { cloud: 'Europe/London', dc: 'Europe/London' }, browses: true },
	{ name: 'grace', displayName: 'Grace Hopper', email: 'grace@example.com', timeZone: { cloud: 'America/New_York', dc: 'America/New_York' }, browses: true },
	{ name: 'li-lei', displayName: '李雷', email: 'li-lei@example.com', timeZone: { cloud: 'Asia/Shanghai', dc: 'Asia/Shanghai' }, browses: true },
	{ name: 'bjorn', displayName: 'Björn Åkesson', email: 'bjorn@example.com', timeZone: { cloud: 'Europe/Stockholm', dc: 'Europe/Stockholm' }, browses: true },
	{ name: 'sim-viewer', displayName: 'Vic Viewer', email: 'sim-viewer@example.com', timeZone: { cloud: 'Europe/Berlin', dc: 'America/New_York' }, browses: false }
];

const hex = (seed: number, n: number, k: number) => hash(seed, 0x71a5, n, k).toString(16).padStart(8, '0');

function accountId(seed: number, n: number): string {
	// Older accounts have 24 hex digits; accounts made since 2019 `712020:` and a UUID.
	if (n % 2 === 1) return `${hex(seed, n, 1)}${hex(seed, n, 2)}${hex(seed, n, 3)}`;
	const h = `${hex(seed, n, 1)}${hex(seed, n, 2)}${hex(seed, n, 3)}${hex(seed, n, 4)}`;
	return `712020:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function people(seed: number): JiraUser[] {
	return ROSTER.map((person, index) => ({ ...person, index, accountId: accountId(seed, index), key: `JIRAUSER${10000 + index}` }));
}
