// The workflows' code, bundled by a short-lived process of its own. Bundling (webpack) leaves
// about 130 MB behind in the process that did it, and a worker that keeps that memory pays for
// it at every git it starts: starting a process copies the parent's page tables, ~15 ms per
// 300 MB here, with the worker's event loop (heartbeats, progress) stopped meanwhile.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const thisFile = fileURLToPath(import.meta.url);

/** Bundles `workflowsPath` in a child process and returns the code, for `Worker.create({ workflowBundle })`. */
export function bundleWorkflowsApart(workflowsPath: string): Promise<{ code: string }> {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [thisFile, workflowsPath], { maxBuffer: 256 * 1024 * 1024, env: process.env }, (error, stdout, stderr) => {
			if (error) reject(new Error(`bundling the workflows failed: ${stderr.trim() || error.message}`));
			else resolve({ code: stdout });
		});
	});
}

if (import.meta.main) {
	const workflowsPath = process.argv[2];
	if (!workflowsPath) throw new Error('usage: workflow-bundle.ts <workflows entry file>');
	// The bundler's own log lines would mix with the code on standard output: warnings only, to standard error.
	const { code } = await bundleWorkflowCode({
		workflowsPath,
		logger: {
			log: () => {},
			trace: () => {},
			debug: () => {},
			info: () => {},
			warn: (message, meta) => console.error(message, meta ?? ''),
			error: (message, meta) => console.error(message, meta ?? '')
		}
	});
	process.stdout.write(code);
}
