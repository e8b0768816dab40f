// What each permission requires. Shared by the server (which enforces) and the browser (which
// hides or disables what the user cannot do).
import { atLeast, type IntegrationsLevel } from './levels.ts';

export const permissions = [
	'public',
	'signed-in',
	'integrations.view',
	'integrations.manage',
	'integrations.delete',
	'users.manage',
	'system.run'
] as const;
export type Permission = (typeof permissions)[number];

export interface Actor {
	level: IntegrationsLevel;
	isAdmin: boolean;
}

export function can(actor: Actor | null | undefined, permission: Permission): boolean {
	if (permission === 'public') return true;
	if (!actor) return false;
	switch (permission) {
		case 'signed-in':
			return true;
		case 'integrations.view':
			return atLeast(actor.level, 'view');
		case 'integrations.manage':
		case 'system.run':
			return atLeast(actor.level, 'manage');
		case 'integrations.delete':
			return atLeast(actor.level, 'delete');
		case 'users.manage':
			return actor.isAdmin;
	}
}

/** The sentence a refused request gets. */
export function refusal(permission: Permission): string {
	switch (permission) {
		case 'public':
		case 'signed-in':
			return 'Sign in first.';
		case 'integrations.view':
			return 'This needs the Manage Integrations level “view” or higher; ask an organisation admin.';
		case 'integrations.manage':
		case 'system.run':
			return 'This needs the Manage Integrations level “manage” or higher; ask an organisation admin.';
		case 'integrations.delete':
			return 'This needs the Manage Integrations level “delete”; ask an organisation admin.';
		case 'users.manage':
			return 'Only organisation admins manage users.';
	}
}

export type Capabilities = Record<Permission, boolean>;

export function capabilitiesOf(actor: Actor | null): Capabilities {
	return Object.fromEntries(permissions.map((p) => [p, can(actor, p)])) as Capabilities;
}
