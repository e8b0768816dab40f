// CPU time of this process and of a child, for benchmarks' detail lines: on two shared cores a
// ratio of rates is often a ratio of CPU, and saying whose makes it readable.
import { readFileSync } from 'node:fs';

const ticksPerSecond = 100;

/** CPU seconds (user + system) a process has used so far, every thread counted; 0 when it is gone. */
export function cpuSecondsOf(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command (which may hold spaces) in parentheses: utime is the 12th, stime the 13th.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
	} catch {
		return 0;
	}
}

export const ownCpuSeconds = (): number => {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1e6;
};
