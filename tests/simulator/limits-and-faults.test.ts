// Rate limits and faults on demand, as the field client (with its throttling and retry plugins)
// meets them.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RequestError } from 'octokit';
import { github, startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';

let sim: RunningSimulator;
beforeAll(async () => {
	sim = await startTestSimulator('limits');
});
afterEach(() => sim.control.clearFaults());
afterAll(() => sim?.stop());

const refuse = () => false;

it('spends a low rate limit to 403 with reset headers, then recovers by itself after the reset', async () => {
	await sim.control.setRateLimit({ token: sim.tokens.classicReadUser, limit: 3, resetInSeconds: 2 });
	const waits: number[] = [];
	const strict = github(sim.http, sim.tokens.classicReadUser, { throttle: { onRateLimit: refuse, onSecondaryRateLimit: refuse } });
	const first = await strict.rest.users.getAuthenticated();
	expect(first.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2', 'x-ratelimit-used': '1', 'x-ratelimit-resource': 'core' });
	await strict.rest.users.getAuthenticated();
	await strict.rest.users.getAuthenticated();
	const spent = (await strict.rest.users.getAuthenticated().catch((e: unknown) => e)) as RequestError;
	expect(spent.status).toBe(403);
	expect(spent.response?.headers['x-ratelimit-remaining']).toBe('0');
	expect(Number(spent.response?.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
	expect(spent.message).toMatch(/^API rate limit exceeded for user ID 1\./);
	expect(spent.response?.data).toMatchObject({ documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' });

	// The product's client waits for the reset and carries on.
	const patient = github(sim.http, sim.tokens.classicReadUser, {
		throttle: {
			onRateLimit: (retryAfter: number) => {
				waits.push(retryAfter);
				return true;
			},
			onSecondaryRateLimit: refuse
		}
	});
	const after = await patient.rest.users.getAuthenticated();
	expect(waits).toHaveLength(1);
	expect(after.headers['x-ratelimit-limit']).toBe('5000');
});

it('answers 429 instead when told to', async () => {
	await sim.control.setRateLimit({ token: sim.tokens.fineGrained, limit: 0, resetInSeconds: 30, status: 429 });
	const error = (await github(sim.http, sim.tokens.fineGrained, { throttle: { onRateLimit: refuse, onSecondaryRateLimit: refuse } })
		.rest.repos.get({ owner: 'acme', repo: 'api' })
		.catch((e: unknown) => e)) as RequestError;
	expect(error.status).toBe(429);
	expect(error.response?.headers['x-ratelimit-remaining']).toBe('0');
});

it('sends a secondary rate limit with retry-after, which the client waits out', async () => {
	await sim.control.addFault({ kind: 'secondary-rate-limit', path: '/repos/*/*/pulls', count: 1, retryAfter: 1 });
	const waits: number[] = [];
	const octokit = github(sim.http, sim.tokens.classic, {
		throttle: {
			onRateLimit: refuse,
			onSecondaryRateLimit: (retryAfter: number) => {
				waits.push(retryAfter);
				return true;
			}
		}
	});
	const { data } = await octokit.rest.pulls.list({ owner: 'acme', repo: 'api' });
	expect(waits).toEqual([1]);
	expect(data.length).toBeGreaterThan(0);
});

it('sends bursts of 5xx that the retry plugin rides out, and the client gives up on a longer one', async () => {
	await sim.control.addFault({ kind: 'status', status: 502, path: '/repos/acme/api', count: 2 });
	const octokit = github(sim.http, sim.tokens.classic);
	expect((await octokit.rest.repos.get({ owner: 'acme', repo: 'api' })).status).toBe(200);
	await sim.control.addFault({ kind: 'status', status: 503, path: '/repos/acme/api', count: 10 });
	const error = (await octokit.rest.repos.get({ owner: 'acme', repo: 'api' }).catch((e: unknown) => e)) as RequestError;
	expect(error.status).toBe(503);
});

it('sends a malformed body with 200', async () => {
	await sim.control.addFault({ kind: 'malformed', path: '/repos/acme/api/pulls', count: 1 });
	const response = await fetch(`${sim.http}/repos/acme/api/pulls`, { headers: { authorization: `token ${sim.tokens.classic}` } });
	expect(response.status).toBe(200);
	await expect(response.clone().json()).rejects.toThrow(SyntaxError);
	const octokit = github(sim.http, sim.tokens.classic);
	await sim.control.addFault({ kind: 'malformed', path: '/repos/acme/api/pulls', count: 1 });
	// Octokit hands a body it cannot parse back as text: the product must notice.
	const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls', { owner: 'acme', repo: 'api' });
	expect(typeof data).toBe('string');
});

it('resets connections and answers slowly on demand', async () => {
	await sim.control.addFault({ kind: 'reset', path: '/user', count: 1 });
	await expect(fetch(`${sim.http}/user`, { headers: { authorization: `token ${sim.tokens.classic}` } })).rejects.toThrow();
	await sim.control.addFault({ kind: 'slow', path: '/user', count: 1, delayMs: 600 });
	const started = performance.now();
	await fetch(`${sim.http}/user`, { headers: { authorization: `token ${sim.tokens.classic}` } });
	expect(performance.now() - started).toBeGreaterThanOrEqual(550);
	await sim.control.addFault({ kind: 'trickle', path: '/user', count: 1, bytesPerSecond: 4000 });
	const trickled = performance.now();
	const body = await (await fetch(`${sim.http}/user`, { headers: { authorization: `token ${sim.tokens.classic}` } })).json();
	expect(body).toMatchObject({ login: 'sim-user' });
	expect(performance.now() - trickled).toBeGreaterThan(200);
});
