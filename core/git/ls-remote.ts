// "Test connection" for a repository URL: can the worker reach it and read its refs with these
// credentials? Reads the ref list only, never objects, so it answers in seconds. Also run by the
// web process before anything is saved: git runs as a child process, and its output is counted as
// it streams, never held whole, so a hostile server's endless ref list costs neither memory nor
// the event loop.
import { inBatches } from '../../workflows/concurrency.ts';
import { openRemote } from './remote.ts';
import { GitError, startGit, type GitCredentials, type GitErrorKind, type GitProcess, type GitSettings } from './run-git.ts';

export type RepositoryTestResult = { ok: true; heads: number; tags: number } | { ok: false; reason: GitErrorKind; message: string };

const lsRemoteTimeoutMs = 20_000;
/** About a million refs: far beyond real repositories, far below what would hurt the web process. */
const maxRefListBytes = 64 * 1024 * 1024;

async function countRefs(git: GitProcess): Promise<{ heads: number; tags: number }> {
	let heads = 0;
	let tags = 0;
	let bytes = 0;
	let partial = '';
	const count = (line: string) => {
		const ref = line.slice(line.indexOf('\t') + 1);
		if (ref.startsWith('refs/heads/')) heads++;
		// An annotated tag is listed twice: as itself and peeled (`^{}`).
		else if (ref.startsWith('refs/tags/') && !ref.endsWith('^{}')) tags++;
	};
	for await (const chunk of git.stdout as AsyncIterable<Buffer>) {
		bytes += chunk.length;
		if (bytes > maxRefListBytes) {
			git.kill();
			throw new GitError({
				kind: 'other',
				permanent: true,
				message: `The server lists more than ${maxRefListBytes / 1024 / 1024} MB of branches and tags; Tributary stopped reading there.`
			});
		}
		const lines = (partial + chunk.toString('latin1')).split('\n');
		partial = lines.pop()!;
		lines.forEach(count);
	}
	if (partial) count(partial);
	await git.done;
	return { heads, tags };
}

export async function testRepository(url: string, credentials: GitCredentials, settings: GitSettings): Promise<RepositoryTestResult> {
	try {
		// Checked again here, whatever the form did: this URL goes to git.
		const remote = await openRemote(url, settings);
		const git = await startGit(['ls-remote', '--heads', '--tags', '--', remote.url], {
			settings: remote.settings,
			credentials,
			timeoutMs: lsRemoteTimeoutMs,
			remote: true,
			connectTo: remote.connectTo
		});
		return { ok: true, ...(await countRefs(git)) };
	} catch (error) {
		if (error instanceof GitError) return { ok: false, reason: error.kind, message: error.message };
		throw error;
	}
}

/** How many repositories are tested at once: a slow host holds up one lane, not the whole test. */
const testLanes = 4;

/**
 * Tests every URL, a few at a time, with the same credentials; results in input order.
 * `onTested` hears each one as it arrives (for progress and heartbeats).
 */
export function testRepositories(
	urls: readonly string[],
	credentials: GitCredentials,
	settings: GitSettings,
	onTested?: (url: string, result: RepositoryTestResult) => Promise<void> | void
): Promise<RepositoryTestResult[]> {
	return inBatches(urls, testLanes, async (url) => {
		const result = await testRepository(url, credentials, settings);
		await onTested?.(url, result);
		return result;
	});
}
