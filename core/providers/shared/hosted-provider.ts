// What a hosted provider's seam methods do alike around its own connection test: the form's test
// before saving (under the person's per-minute budget, failing fast), the saved integration's test
// (its chosen services, a live bar, refused credentials becoming the integration's status), and
// the services an integration has chosen.
import { defaultServicesOf, type ProviderKind, type Service } from '#core/domain/integrations/providers.ts';
import { setIntegrationStatus } from '#core/integrations/queries.ts';
import { reserveUrlTests } from '#core/integrations/url-test-limits.ts';
import type { ConnectionReport, ConnectionStep, FormContext, ProviderContext, ReachResult } from '../provider.ts';

/** A test's report with the category of what stopped it (a provider's own failure categories). */
export type CategorisedReport = ConnectionReport & { failure?: string };

/** The services an integration has chosen (its `services` column); all of the kind's until chosen. */
export async function servicesOf(context: ProviderContext<unknown>, kind: ProviderKind): Promise<Service[]> {
	const row = await context.db.selectFrom('integrations').select('services').where('id', '=', context.integration.id).executeTakeFirst();
	return row?.services ?? defaultServicesOf(kind);
}

/** The form's test: one unit of the person's budget, then the provider's check with every service; a failure is the form's. */
export async function reachWith(context: FormContext, check: () => Promise<CategorisedReport>): Promise<ReachResult> {
	const budget = await reserveUrlTests(context.db, context.user.id, 1, context.settings.urlTestsPerMinute);
	if (!budget.ok) return { failures: [], limited: budget.message };
	try {
		const report = await check();
		return { failures: report.ok ? [] : [report.message ?? 'The connection test failed.'] };
	} catch (error) {
		return { failures: [(error as Error).message] };
	}
}

/**
 * A saved integration's test: the provider's check of the chosen services, each step told with
 * the bar's total (`expected`, grown if more steps come); refused credentials are the
 * integration's state, not just this test's, so its status says so until fixed.
 */
export async function testWith<Report extends CategorisedReport>(
	context: ProviderContext<unknown>,
	kind: ProviderKind,
	expected: (services: Service[]) => number,
	check: (services: Service[], onStep: (step: ConnectionStep) => Promise<void>) => Promise<Report>,
	onStep: (step: ConnectionStep, total: number) => Promise<void>
): Promise<ConnectionReport> {
	const services = await servicesOf(context, kind);
	const total = expected(services);
	let steps = 0;
	const report = await check(services, async (step) => {
		context.heartbeat();
		steps++;
		await onStep(step, Math.max(total, steps));
	});
	if (report.failure === 'bad-credentials') await setIntegrationStatus(context.db, context.integration.id, 'failed-integration', report.message);
	const { ok, account, missingPermissions, expiresAt, message, reached, failed } = report;
	return { ok, message, reached, failed, ...(account !== undefined ? { account } : {}), ...(missingPermissions ? { missingPermissions } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) };
}
