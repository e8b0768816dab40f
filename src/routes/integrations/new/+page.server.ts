import { providers } from '#core/domain/integrations/providers.ts';
import { availableKinds } from '#core/providers/registry.ts';
import { guard } from '#lib/server/auth/guard.ts';
import type { PageServerLoad } from './$types';

// Only the kinds with a provider behind them (core/providers/registry.ts) are offered.
export const load: PageServerLoad = guard('integrations.manage', () => ({
	providers: availableKinds().map((kind) => {
		const { label, description, authMethods } = providers[kind];
		return { kind, label, description, authMethods };
	})
}));
