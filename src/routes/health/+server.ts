import { json } from '@sveltejs/kit';
import { publicRoute } from '#lib/server/auth/guard.ts';
import { checkHealth, components, isHealthy } from '#lib/server/health.ts';
import type { RequestHandler } from './$types';

// Public on purpose (load balancers poll it): it reveals component states and reasons, nothing else.
export const GET: RequestHandler = publicRoute(async () => {
	const health = await checkHealth();
	const body: Record<string, unknown> = Object.fromEntries(components.map((c) => [c, health[c].state === 'ok' ? 'ok' : 'down']));
	const reasons = Object.fromEntries(
		components.flatMap((c) => {
			const component = health[c];
			return component.state === 'down' ? [[c, component.reason]] : [];
		})
	);
	if (Object.keys(reasons).length > 0) body.reasons = reasons;
	return json(body, { status: isHealthy(health) ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
