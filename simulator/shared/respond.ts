// Writing an API answer, with the faults that act on the body itself: a `trickle` sends it a slice
// at a time, at `bytesPerSecond`.
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Fault } from './faults.ts';

export function writeAnswer(res: ServerResponse, status: number, headers: Record<string, string>, body: string, fault?: Fault): Promise<void> | void {
	res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
	if (fault?.kind !== 'trickle') return void res.end(body);
	const bytes = Buffer.from(body);
	const slice = Math.max(1, Math.round((fault.bytesPerSecond ?? 1000) / 20));
	return (async () => {
		for (let start = 0; start < bytes.length && !res.destroyed; start += slice) {
			res.write(bytes.subarray(start, start + slice));
			await delay(50);
		}
		res.end();
	})();
}

/** Half a JSON body and some HTML: what a proxy in trouble hands back with a 200. */
export function malformed(text: string): string {
	return text.slice(0, Math.max(1, Math.floor(text.length / 2))) + '<html>';
}
