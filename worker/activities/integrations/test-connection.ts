// Test connection: the integration's provider reaches what it holds with the stored credentials,
// step by step on the operation's bar.
import { announceIntegration, openIntegration, type IntegrationDeps } from './context.ts';

export function createTestConnectionActivities(deps: IntegrationDeps) {
	return {
		async testIntegrationConnection(input: { operationId: string; integrationId: string }): Promise<void> {
			const { provider, context } = await openIntegration(deps, input.integrationId);
			let done = 0;
			let total = 0;
			const report = await provider.testConnection(context, async (step, expected) => {
				total = expected;
				await deps.progress.report(input.operationId, {
					stage: 'repos',
					done: ++done,
					total,
					currentItem: `${step.item}: ${step.ok ? 'reached' : step.message}`
				});
			});
			// A test that stopped early, or had less to check than expected, ends with its bar full.
			if (total !== done) await deps.progress.report(input.operationId, { stage: 'repos', done, total: done });
			// The provider may have changed what the integration shows (a refused token, an expiry date).
			await announceIntegration(deps, input.integrationId);
			await deps.progress.finish(input.operationId, {
				state: report.ok ? 'succeeded' : 'failed',
				error: report.ok ? null : report.message,
				result: {
					reached: report.reached,
					failed: report.failed,
					...(report.account ? { account: report.account } : {}),
					...(report.missingPermissions?.length ? { missingPermissions: report.missingPermissions } : {}),
					...(report.expiresAt ? { expiresAt: report.expiresAt.toISOString() } : {})
				}
			});
		}
	};
}
