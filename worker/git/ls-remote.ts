// "Test connection" for a repository URL: can the worker reach it and read its refs with these
// credentials? Reads the ref list only, never objects, so it answers in seconds.
import { parseRepositoryUrl } from '#lib/integrations/git-url.ts';
import { inBatches } from '../../workflows/concurrency.ts';
import { assertSafeArgument, GitError, runGit, type GitCredentials, type GitErrorKind, type GitSettings } from './run-git.ts';

export type RepositoryTestResult = { ok: true; heads: number; tags: number } | { ok: false; reason: GitErrorKind; message: string };

const lsRemoteTimeoutMs = 20_000;

export async function testRepository(url: string, credentials: GitCredentials, settings: GitSettings): Promise<RepositoryTestResult> {
	// Checked again here: this URL goes to git, whatever the form did.
	const parsed = parseRepositoryUrl(url, settings.gitAllowedSchemes);
	if (!parsed.ok) return { ok: false, reason: 'other', message: parsed.message };
	try {
		assertSafeArgument(parsed.url, 'repository URL');
		const output = await runGit(['ls-remote', '--heads', '--tags', '--', parsed.url], {
			settings,
			credentials,
			timeoutMs: lsRemoteTimeoutMs,
			remote: true
		});
		let heads = 0;
		let tags = 0;
		for (const line of output.split('\n')) {
			const ref = line.split('\t')[1];
			if (!ref) continue;
			if (ref.startsWith('refs/heads/')) heads++;
			// An annotated tag is listed twice: as itself and peeled (`^{}`).
			else if (ref.startsWith('refs/tags/') && !ref.endsWith('^{}')) tags++;
		}
		return { ok: true, heads, tags };
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
