// What `npm start` shows of the web and worker processes' logs. They write JSON lines (pino); in a
// terminal a person reads short lines instead, and every JSON line is kept in a log file under the
// data folder. Where output is not a terminal, or LOG_FORMAT=json asks for it, the JSON passes
// through unchanged for whatever collects it.
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

const levelNames: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every pino line carries that a person does not need to read. */
const bookkeeping = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'v']);

/** One JSON log line as a readable one; anything that is not a pino line is returned as it is. */
export function readableLine(source: string, line: string): string {
	let entry: Record<string, unknown>;
	try {
		const parsed: unknown = JSON.parse(line);
		if (!parsed || typeof parsed !== 'object' || typeof (parsed as { level?: unknown }).level !== 'number') return line;
		entry = parsed as Record<string, unknown>;
	} catch {
		return line;
	}
	const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
	const level = levelNames[entry.level as number] ?? String(entry.level);
	const details = Object.entries(entry)
		.filter(([key]) => !bookkeeping.has(key))
		.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
	const error = entry.err as { message?: string } | undefined;
	const message = [entry.msg, error?.message].filter(Boolean).join(': ');
	return [time, source.padEnd(6), level.padEnd(5), message, ...details].filter(Boolean).join('  ');
}

export type LogFormat = 'readable' | 'json';

export function logFormat(out: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): LogFormat {
	if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'readable') return env.LOG_FORMAT;
	return out.isTTY ? 'readable' : 'json';
}

/**
 * Where a supervised process's output goes: every line to `<dataDir>/logs/<source>.log`, and to
 * `out` as JSON or as readable lines. One file per source, kept across the process's restarts.
 */
export function logRelay(source: string, dataDir: string, format: LogFormat, out: Writable = process.stdout) {
	const folder = path.join(dataDir, 'logs');
	mkdirSync(folder, { recursive: true });
	const file = createWriteStream(path.join(folder, `${source}.log`), { flags: 'a' });
	// Whoever reads our output may go away first (a closed pipe: EPIPE). The lines still reach the
	// file, and the start script must go on stopping its engines in order rather than crash.
	if (out.listenerCount('error') === 0) out.on('error', () => {});
	return {
		attach(...streams: Readable[]) {
			for (const stream of streams) {
				createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
					file.write(`${line}\n`);
					out.write(`${format === 'readable' ? readableLine(source, line) : line}\n`);
				});
			}
		}
	};
}
