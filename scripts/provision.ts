// What `npm test` and `npm run bench` need from the machine beyond npm packages, brought by the
// commands themselves so a new user types nothing else: a Chromium for the browser tests and the
// Temporal CLI for the dev server. Each step says what it does before doing it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import { buildTemporalCli, findTemporalCli } from './engines/temporal.ts';

const debianChromium = '/usr/bin/chromium';

function executable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/**
 * The Chromium Playwright drives: CHROMIUM_PATH, else Debian's package, installed through apt when
 * we are root on a Debian-like machine. Playwright's own browser download cannot work offline.
 */
export function ensureChromium(say: (line: string) => void): string {
	const configured = process.env.CHROMIUM_PATH;
	if (configured) {
		if (!executable(configured)) throw new Error(`CHROMIUM_PATH=${configured} is not an executable file.`);
		return configured;
	}
	if (executable(debianChromium)) return debianChromium;
	if (os.userInfo().uid !== 0 || !executable('/usr/bin/apt-get')) {
		throw new Error(
			`No Chromium at ${debianChromium}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`
		);
	}
	say('installing Chromium from Debian packages for the browser tests (apt-get install chromium, one time)');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
		const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
		if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status}); Chromium is needed for the browser tests.`);
	}
	if (!executable(debianChromium)) throw new Error(`apt-get installed chromium but ${debianChromium} is missing.`);
	say(`Chromium installed: ${debianChromium}`);
	return debianChromium;
}

/** The Temporal CLI, built with Go into the cache when it is nowhere yet (announced: minutes, once). */
export async function ensureTemporalCli(say: (line: string) => void): Promise<void> {
	if (process.env.TEMPORAL_ADDRESS || findTemporalCli()) return;
	const built = await buildTemporalCli(say);
	if (!built) say('no Temporal CLI and no Go: the Temporal SDK will try to download the dev server (needs internet)');
}
