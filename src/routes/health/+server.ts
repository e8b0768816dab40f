import { json } from '@sveltejs/kit';
import { publicRoute } from '#lib/server/auth/guard.ts';
import { checkHealth, components, isHealthy } from '#lib/server/health.ts';
import type { RequestHandler } from './$types';

// Public on purpose (load balancers poll it): anyone sees each component's state. Why one is down
// (error text naming hosts, ports and versions) is for signed-in people only, as on the System page.
export const GET: RequestHandler = publicRoute(async ({ locals }) => {
	const health = await checkHealth();
	const body: Record<string, unknown> = Object.fromEntries(components.map((c) => [c, health[c].state === 'ok' ? 'ok' : 'down']));
	const reasons = Object.fromEntries(
		components.flatMap((c) => {
			const component = health[c];
			return component.state === 'down' ? [[c, component.reason]] : [];
		})
	);
	if (locals.user && Object.keys(reasons).length > 0) body.reasons = reasons;
	return json(body, { status: isHealthy(health) ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
