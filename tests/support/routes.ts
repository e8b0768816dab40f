// Every server entry point of the app, read from the route files themselves: loads, form actions
// and endpoint methods, each with the permission its guard declares.
import { readFileSync } from 'node:fs';
import type { Permission } from '#core/domain/accounts/permissions.ts';
import { declaredPermission } from '../../src/lib/server/auth/guard.ts';

export interface Entry {
	/** e.g. "POST /users?/createUser", "GET /health", "load /system" */
	id: string;
	file: string;
	kind: 'load' | 'action' | 'endpoint';
	method: string;
	/** The URL path the entry answers on (route groups removed). */
	path: string;
	action?: string;
	permission: Permission | undefined;
	mutating: boolean;
}

const modules = import.meta.glob(['../../src/routes/**/+page.server.ts', '../../src/routes/**/+layout.server.ts', '../../src/routes/**/+server.ts']);
export const pageComponents = Object.keys(import.meta.glob('../../src/routes/**/+page.svelte'));

function routePath(file: string): string {
	const dir = file.replace('../../src/routes', '').replace(/\/\+[^/]+$/, '');
	return dir.split('/').filter((part) => part && !/^\(.*\)$/.test(part)).map((part) => `/${part}`).join('') || '/';
}

const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'fallback'];

export async function serverEntries(): Promise<Entry[]> {
	const entries: Entry[] = [];
	for (const [file, load] of Object.entries(modules)) {
		const module = (await load()) as Record<string, unknown>;
		const path = routePath(file);
		if (file.endsWith('+server.ts')) {
			for (const method of httpMethods) {
				if (!(method in module)) continue;
				entries.push({
					id: `${method} ${path}`,
					file,
					kind: 'endpoint',
					method,
					path,
					permission: declaredPermission(module[method]),
					mutating: !['GET', 'HEAD', 'OPTIONS'].includes(method)
				});
			}
			continue;
		}
		if ('load' in module) {
			entries.push({ id: `load ${path}${file.includes('+layout') ? ' (layout)' : ''}`, file, kind: 'load', method: 'GET', path, permission: declaredPermission(module.load), mutating: false });
		}
		for (const [action, handler] of Object.entries((module.actions as Record<string, unknown> | undefined) ?? {})) {
			entries.push({
				id: `POST ${path}?/${action}`,
				file,
				kind: 'action',
				method: 'POST',
				path,
				action,
				permission: declaredPermission(handler),
				mutating: true
			});
		}
	}
	return entries;
}

/** The requests a browser's socket may send, read from the handlers the web process registers. */
export function socketRequests(): string[] {
	const files = ['../../core/realtime/server.ts', '../../core/realtime/presence.ts'];
	const source = files.map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')).join('\n');
	// Socket.IO's own events are not requests.
	return [...source.matchAll(/\bsocket\.on\(\s*'([^']+)'/g)].map((match) => match[1]!).filter((name) => name !== 'disconnect');
}
