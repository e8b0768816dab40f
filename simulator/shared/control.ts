// The control API's plumbing (`/_simulator/…`, loopback only, JSON, no auth) and the routes that
// act on what both providers share: request counters, rate-limit budgets, faults, revocation.
// Each provider adds its own routes (github/control.ts, gitlab/control.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newCounters, resetCounters, type RequestCounters } from './counters.ts';
import { compile } from './route-match.ts';
import { PROVIDERS as FAULT_PROVIDERS, type FaultInput, type Faults, type Provider } from './faults.ts';
import type { Bucket, RateLimits, RateLimitSetting } from './rate-limits.ts';

export type Body = Record<string, unknown>;

export interface ControlRoute {
	method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
	/** A template for `compile` (`:name`, `:name+`). */
	path: string;
	handle(params: Record<string, string>, body: Body, query: URLSearchParams): unknown;
}

/** A refusal the control API answers as `{message}` with `status`. */
export class ControlError extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

async function readJson(req: IncomingMessage): Promise<Body> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	if (!text) return {};
	const value = JSON.parse(text) as unknown;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError(400, 'The body must be a JSON object.');
	return value as Body;
}

export function str(body: Body, name: string): string | undefined {
	const value = body[name];
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw new ControlError(400, `"${name}" must be a string.`);
	return value;
}

export function int(body: Body, name: string, min = 0): number | undefined {
	const value = body[name];
	if (value === undefined) return undefined;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new ControlError(400, `"${name}" must be an integer ≥ ${min}.`);
	return value;
}

export function strings(body: Body, name: string): string[] | undefined {
	const value = body[name];
	if (value === undefined) return undefined;
	if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new ControlError(400, `"${name}" must be a list of names.`);
	return value as string[];
}

export interface SharedControlContext {
	rateLimits: RateLimits;
	faults: Faults;
	/** Every API's counters: a reset zeroes them all. */
	counters: RequestCounters[];
	/** The rate-limit bucket of a token (whichever provider issued it) or of a GitHub App installation. */
	bucketOf(input: { token?: string; installationId?: number }): Bucket | null;
	/** Revokes a token of either provider; false when neither knows it. */
	revoke(token: string): boolean;
}

const FAULT_KINDS: Array<FaultInput['kind']> = ['status', 'slow', 'trickle', 'malformed', 'reset', 'secondary-rate-limit', 'abuse'];

export function sharedControlRoutes(context: SharedControlContext): ControlRoute[] {
	const { rateLimits, faults } = context;
	return [
		{
			method: 'POST',
			path: '/_simulator/requests/reset',
			handle: () => {
				for (const counters of context.counters) resetCounters(counters);
				return newCounters();
			}
		},
		{
			method: 'POST',
			path: '/_simulator/rate-limits',
			handle: (_params, body) => {
				const token = str(body, 'token');
				const installationId = int(body, 'installationId', 1);
				if (token === undefined && installationId === undefined) throw new ControlError(400, 'Give "token" or "installationId".');
				const bucket = context.bucketOf({ token, installationId });
				if (!bucket) throw new ControlError(400, 'Unknown token.');
				const setting: RateLimitSetting = {
					limit: int(body, 'limit', 0) ?? bucket.defaultLimit,
					remaining: int(body, 'remaining', 0),
					resetInSeconds: int(body, 'resetInSeconds', 1),
					status: body.status === 429 ? 429 : 403
				};
				return { key: bucket.key, ...rateLimits.set(bucket, setting) };
			}
		},
		{ method: 'GET', path: '/_simulator/faults', handle: () => faults.list() },
		{
			method: 'POST',
			path: '/_simulator/faults',
			handle: (_params, body) => {
				if (!FAULT_KINDS.includes(body.kind as FaultInput['kind'])) throw new ControlError(400, `"kind" must be one of ${FAULT_KINDS.join(', ')}.`);
				const provider = str(body, 'provider');
				if (provider !== undefined && !FAULT_PROVIDERS.includes(provider as Provider)) throw new ControlError(400, `"provider" must be one of ${FAULT_PROVIDERS.join(', ')}.`);
				return faults.add({
					kind: body.kind as FaultInput['kind'],
					provider: provider as Provider | undefined,
					path: str(body, 'path'),
					method: str(body, 'method'),
					count: int(body, 'count', 1),
					status: int(body, 'status', 100),
					delayMs: int(body, 'delayMs'),
					bytesPerSecond: int(body, 'bytesPerSecond', 1),
					retryAfter: int(body, 'retryAfter')
				});
			}
		},
		{
			method: 'DELETE',
			path: '/_simulator/faults',
			handle: () => {
				faults.clear();
				return [];
			}
		},
		{
			method: 'POST',
			path: '/_simulator/tokens/revoke',
			handle: (_params, body) => {
				const token = str(body, 'token');
				if (!token) throw new ControlError(400, 'Give "token".');
				return { revoked: context.revoke(token) };
			}
		}
	];
}

/** Answers the control routes: the first whose method and path match. */
export function createControlHandler(routes: ControlRoute[], log: (event: string, fields: object) => void) {
	const compiled = routes.map((route) => ({ route, match: compile(route.path) }));
	return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const reply = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
			res.end(JSON.stringify(body));
		};
		if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return reply(403, { message: 'The control API answers loopback only.' });
		try {
			for (const { route, match } of compiled) {
				if (route.method !== req.method) continue;
				const params = match(url.pathname);
				if (!params) continue;
				const body = req.method === 'GET' ? {} : await readJson(req);
				const result = await route.handle(params, body, url.searchParams);
				log('control', { method: req.method, path: url.pathname });
				return reply(200, result);
			}
			reply(404, { message: `No control route ${req.method} ${url.pathname}.` });
		} catch (error) {
			if (error instanceof ControlError) return reply(error.status, { message: error.message });
			if (error instanceof SyntaxError) return reply(400, { message: 'The body is not JSON.' });
			log('control.failed', { path: url.pathname, error: String(error) });
			reply(500, { message: String(error) });
		}
	};
}
