// The baseline of the ingest benchmarks: exactly the `git log` the product runs (log.ts's
// arguments, every branch and tag tip on standard input, no user or system config), its output
// thrown away.
import { execFileSync, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { logArguments } from '#core/git/log.ts';

/** The revisions the product feeds `git log --stdin` on a first update: every branch and tag tip. */
export function allTips(gitDir: string): string {
	const tips = execFileSync('git', ['--git-dir', gitDir, 'for-each-ref', '--format=%(objectname)', 'refs/heads', 'refs/tags'], { encoding: 'utf8' });
	return [...new Set(tips.split('\n').filter(Boolean))].sort().join('\n') + '\n';
}

/** Seconds the product's `git log` takes on `gitDir` (HOME: an empty folder). */
export async function timeGitLog(gitDir: string, revisions: string, home: string): Promise<number> {
	const started = performance.now();
	await new Promise<void>((resolve, reject) => {
		const child = spawn('git', [...logArguments, '--ignore-missing', '--stdin'], {
			stdio: ['pipe', 'ignore', 'inherit'],
			env: { PATH: process.env.PATH, HOME: home, GIT_DIR: gitDir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C', LANG: 'C', GIT_FLUSH: '0' }
		});
		child.once('error', reject);
		child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git log exited ${code}`))));
		child.stdin.end(revisions);
	});
	return (performance.now() - started) / 1000;
}
