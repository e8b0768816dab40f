// What a person sees of the web and worker logs in `npm start`'s terminal.
import { PassThrough, Writable } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logFormat, logRelay, readableLine } from '../../scripts/log-lines.ts';

const line = (fields: Record<string, unknown>) =>
	JSON.stringify({ level: 30, time: Date.UTC(2026, 11, 1, 9, 5, 7), pid: 42, hostname: 'box', name: 'worker', ...fields });

describe('readable log lines', () => {
	it('shows time, source, level, message and the fields a person needs, without the bookkeeping', () => {
		const shown = readableLine('worker', line({ msg: 'update finished', integrationId: 'i-1', repos: 3 }));
		expect(shown).toMatch(/^\d\d:\d\d:\d\d {2}worker {2}info {3}update finished {2}integrationId=i-1 {2}repos=3$/);
		expect(shown).not.toContain('hostname');
		expect(shown).not.toContain('pid=');
	});

	it('names warnings and errors loudly and keeps the error message', () => {
		const shown = readableLine('web', line({ level: 50, msg: 'request failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n at x' } }));
		expect(shown).toContain('web     ERROR  request failed: boom');
		expect(shown).not.toContain('at x');
		expect(readableLine('web', line({ level: 40, msg: 'slow' }))).toContain('WARN');
	});

	it('passes anything that is not a log entry through as it is', () => {
		for (const text of ['plain text', '{"not":"pino"}', '[1,2]', '{broken']) expect(readableLine('web', text)).toBe(text);
	});

	it('is readable in a terminal, JSON elsewhere, and LOG_FORMAT decides when set', () => {
		expect(logFormat({ isTTY: true }, {})).toBe('readable');
		expect(logFormat({ isTTY: false }, {})).toBe('json');
		expect(logFormat({ isTTY: true }, { LOG_FORMAT: 'json' })).toBe('json');
		expect(logFormat({ isTTY: false }, { LOG_FORMAT: 'readable' })).toBe('readable');
	});

	it('keeps every JSON line in the data folder whichever way it is shown', async () => {
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-logs-'));
		let shown = '';
		const out = new Writable({ write: (chunk, _encoding, done) => ((shown += String(chunk)), done()) });
		const source = new PassThrough();
		logRelay('worker', dataDir, 'readable', out).attach(source);
		const entry = line({ msg: 'ready' });
		source.end(`${entry}\nnot json\n`);
		await new Promise((r) => setTimeout(r, 50));
		expect(shown).toMatch(/worker {2}info {3}ready\nnot json\n$/);
		expect(readFileSync(path.join(dataDir, 'logs/worker.log'), 'utf8')).toBe(`${entry}\nnot json\n`);
	});

	it('goes on when whoever reads the output has gone (EPIPE), still keeping the file', async () => {
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-logs-'));
		const closed = new Writable({ write: (_chunk, _encoding, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
		const errors: unknown[] = [];
		process.on('uncaughtException', (error) => errors.push(error));
		const source = new PassThrough();
		logRelay('web', dataDir, 'json', closed).attach(source);
		source.end(`${line({ msg: 'one' })}\n${line({ msg: 'two' })}\n`);
		await new Promise((r) => setTimeout(r, 50));
		expect(errors).toEqual([]);
		expect(readFileSync(path.join(dataDir, 'logs/web.log'), 'utf8').trim().split('\n')).toHaveLength(2);
	});
});
