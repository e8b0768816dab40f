import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedCliPath, findTemporalCli } from '../../scripts/engines/temporal.ts';

function fakeCli(dir: string, executable: boolean): string {
	const file = path.join(dir, 'temporal');
	writeFileSync(file, '#!/bin/sh\n');
	chmodSync(file, executable ? 0o755 : 0o644);
	return file;
}

describe('finding the Temporal CLI', () => {
	it('takes TEMPORAL_CLI_PATH first', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
		const cli = fakeCli(dir, true);
		expect(findTemporalCli({ TEMPORAL_CLI_PATH: cli, PATH: '' })).toEqual({ path: cli, source: 'TEMPORAL_CLI_PATH' });
	});

	it('refuses a TEMPORAL_CLI_PATH that cannot run, with a message naming it', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
		const cli = fakeCli(dir, false);
		expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: cli })).toThrow(cli);
	});

	it('then looks on PATH, then in the cache', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
		const cli = fakeCli(dir, true);
		expect(findTemporalCli({ PATH: `/nonexistent${path.delimiter}${dir}` })).toEqual({ path: cli, source: 'PATH' });
		const found = findTemporalCli({ PATH: '/nonexistent' });
		if (found) expect(found).toEqual({ path: cachedCliPath(), source: 'cache' });
	});
});
