import type { IntegrationsLevel } from './levels.ts';

/** Who is signed in, as every page and socket knows them. Never holds a secret. */
export interface SignedInUser {
	id: string;
	organizationId: string;
	organizationName: string;
	email: string;
	name: string;
	level: IntegrationsLevel;
	isAdmin: boolean;
}
