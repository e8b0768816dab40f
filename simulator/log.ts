// The simulator's own logs: one JSON object per line on stderr (stdout carries only the ready line).
export function log(event: string, fields: object = {}): void {
	process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}
