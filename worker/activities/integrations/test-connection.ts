// Test connection: reach every repository of a saved integration with its stored credentials.
import { Context } from '@temporalio/activity';
import { testRepositories } from '#core/git/ls-remote.ts';
import { loadCredentials, type IntegrationDeps } from './context.ts';

export function createTestConnectionActivities(deps: IntegrationDeps) {
	const { db } = deps;
	return {
		async testIntegrationConnection(input: { operationId: string; integrationId: string }): Promise<void> {
			const credentials = await loadCredentials(db, input.integrationId);
			const repos = await db.selectFrom('repos').select(['name', 'url']).where('integration_id', '=', input.integrationId).orderBy('name').execute();
			const names = new Map(repos.map((repo) => [repo.url, repo.name]));
			let done = 0;
			const results = await testRepositories(
				repos.map((repo) => repo.url),
				credentials,
				deps.settings,
				async (url, outcome) => {
					Context.current().heartbeat();
					await deps.progress.report(input.operationId, {
						stage: 'repos',
						done: ++done,
						total: repos.length,
						currentItem: `${names.get(url)}: ${outcome.ok ? 'reached' : outcome.message}`
					});
				}
			);
			const failures = results.flatMap((outcome, index) => (outcome.ok ? [] : [`${repos[index]!.name}: ${outcome.message}`]));
			const reached = results.length - failures.length;
			await deps.progress.finish(input.operationId, {
				state: failures.length === 0 ? 'succeeded' : 'failed',
				error: failures.length === 0 ? null : failures.join(' '),
				result: { reached, failed: failures.length }
			});
		}
	};
}
