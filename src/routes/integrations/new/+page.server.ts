import { guard } from '#lib/server/auth/guard.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = guard('integrations.manage', () => ({}));
