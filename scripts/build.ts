// Builds the SvelteKit app when the sources are newer than the last build, so a second
// `npm start` skips straight to running.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestMtime(target: string): number {
	if (!existsSync(target)) return 0;
	const stat = statSync(target);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
	return newest;
}

export async function buildIfStale(root: string, say: (line: string) => void): Promise<void> {
	const output = path.join(root, 'build/handler.js');
	// core/ is in the web bundle too (the web process tests repository URLs before saving, reads
	// and writes the same tables as the worker).
	const sources = ['src', 'static', 'core', 'workflows', 'vite.config.ts', 'package.json', 'package-lock.json'];
	const built = existsSync(output) ? statSync(output).mtimeMs : 0;
	if (built > Math.max(...sources.map((s) => newestMtime(path.join(root, s))))) return;
	say('building the web app…');
	await new Promise<void>((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
			cwd: root,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		// The build's chatter ("run npm run preview…") would mislead here: show it only on failure.
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`The build failed (exit ${code}):\n${output}`))));
	});
}
