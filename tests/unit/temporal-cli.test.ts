import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedCliPath, findTemporalCli } from '../../scripts/engines/temporal.ts';

function fakeCli(file: string, executable: boolean): string {
	mkdirSync(path.dirname(file), { recursive: true });
	writeFileSync(file, '#!/bin/sh\n');
	chmodSync(file, executable ? 0o755 : 0o644);
	return file;
}

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'cli-'));

describe('finding the Temporal CLI', () => {
	it('takes TEMPORAL_CLI_PATH first', () => {
		const cli = fakeCli(path.join(tempDir(), 'temporal'), true);
		expect(findTemporalCli({ TEMPORAL_CLI_PATH: cli, PATH: '' })).toEqual({ path: cli, source: 'TEMPORAL_CLI_PATH' });
	});

	it('refuses a TEMPORAL_CLI_PATH that cannot run, with a message naming it', () => {
		const cli = fakeCli(path.join(tempDir(), 'temporal'), false);
		expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: cli })).toThrow(cli);
	});

	it('then looks on PATH, before the cache', () => {
		const cache = tempDir();
		fakeCli(cachedCliPath({ XDG_CACHE_HOME: cache }), true);
		const cli = fakeCli(path.join(tempDir(), 'temporal'), true);
		expect(findTemporalCli({ PATH: `/nonexistent${path.delimiter}${path.dirname(cli)}`, XDG_CACHE_HOME: cache })).toEqual({ path: cli, source: 'PATH' });
	});

	it('then in the cache, where a build put it', () => {
		const cache = tempDir();
		const cli = fakeCli(cachedCliPath({ XDG_CACHE_HOME: cache }), true);
		expect(cli.startsWith(cache)).toBe(true);
		expect(findTemporalCli({ PATH: '/nonexistent', XDG_CACHE_HOME: cache })).toEqual({ path: cli, source: 'cache' });
	});

	it('and says it has none when none of them holds one that can run', () => {
		const cache = tempDir();
		fakeCli(cachedCliPath({ XDG_CACHE_HOME: cache }), false);
		expect(findTemporalCli({ PATH: '/nonexistent', XDG_CACHE_HOME: cache })).toBeUndefined();
		expect(findTemporalCli({ PATH: '/nonexistent', XDG_CACHE_HOME: tempDir() })).toBeUndefined();
	});
});
