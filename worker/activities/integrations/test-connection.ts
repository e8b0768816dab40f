// Test connection: reach every repository of a saved integration with its stored credentials.
import { testRepository } from '../../git/ls-remote.ts';
import { loadCredentials, type IntegrationDeps } from './context.ts';

export function createTestConnectionActivities(deps: IntegrationDeps) {
	const { db } = deps;
	return {
		async testIntegrationConnection(input: { operationId: string; integrationId: string }): Promise<void> {
			const credentials = await loadCredentials(db, input.integrationId);
			const repos = await db.selectFrom('repos').select(['name', 'url']).where('integration_id', '=', input.integrationId).orderBy('name').execute();
			const failures: string[] = [];
			let reached = 0;
			for (const repo of repos) {
				const outcome = await testRepository(repo.url, credentials, deps.settings);
				if (outcome.ok) reached++;
				else failures.push(`${repo.name}: ${outcome.message}`);
				await deps.progress.report(input.operationId, {
					stage: 'repos',
					done: reached + failures.length,
					total: repos.length,
					currentItem: `${repo.name}: ${outcome.ok ? 'reached' : outcome.message}`
				});
			}
			await deps.progress.finish(input.operationId, {
				state: failures.length === 0 ? 'succeeded' : 'failed',
				error: failures.length === 0 ? null : failures.join(' '),
				result: { reached, failed: failures.length }
			});
		}
	};
}
