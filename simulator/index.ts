// The simulator process: a GitHub (and, under /api/v3, a GitHub Enterprise Server) and, under
// /gitlab, a GitLab (gitlab.com or self-managed) on loopback, over HTTP and HTTPS, both views of
// one World generated deterministically from the seed; Bitbucket and Azure DevOps are more views
// of it (Azure Boards work items, `--work-items` per project, are generated from the seed). Jira
// Cloud (/jira-cloud) and Data Center (/jira-dc) show a Jira generated from the seed.
//
//   node simulator/index.ts --data-dir <dir> [--port 0] [--https-port 0] [--seed 1] [--orgs 2]
//     [--repos-per-org 3] [--pull-requests 50] [--commits 200] [--path-prefix ""]
//     [--jira-projects 3] [--tickets 40] [--work-items 60]
//
// Prints one JSON line on stdout when ready (`{"event":"listening",…}`), then logs JSON lines on
// stderr. SIGTERM or SIGINT stop it.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Auth } from './github/auth.ts';
import { githubControlRoutes } from './github/control.ts';
import { World } from './github/data.ts';
import { createGitHttp, isGitPath } from './github/git-http.ts';
import { createApi } from './github/server.ts';
import { Webhooks } from './github/webhooks.ts';
import { GitLabAuth } from './gitlab/auth.ts';
import { gitlabControlRoutes } from './gitlab/control.ts';
import { createGitLabGitHttp, isGitLabGitPath } from './gitlab/git-http.ts';
import { API_PREFIX, GITLAB_PREFIX } from './gitlab/http.ts';
import { GitLabModel } from './gitlab/model.ts';
import { createGitLabApi } from './gitlab/server.ts';
import { GitLabWebhooks } from './gitlab/webhooks.ts';
import { cloudControlRoutes } from './bitbucket-cloud/control.ts';
import { createCloudGitHttp, isCloudGitPath } from './bitbucket-cloud/git-http.ts';
import { CLOUD_API_PREFIX, CLOUD_PREFIX, CloudModel } from './bitbucket-cloud/model.ts';
import { createCloudApi } from './bitbucket-cloud/server.ts';
import { dcControlRoutes } from './bitbucket-dc/control.ts';
import { createDcGitHttp, isDcGitPath } from './bitbucket-dc/git-http.ts';
import { DC_API_PREFIXES, DC_PREFIX, DcModel } from './bitbucket-dc/model.ts';
import { createDcApi } from './bitbucket-dc/server.ts';
import { AzureAuth } from './azure-devops/auth.ts';
import { azureControlRoutes } from './azure-devops/control.ts';
import { createAzureGitHttp, isAzureGitPath } from './azure-devops/git-http.ts';
import { AZURE_PREFIX, AzureModel } from './azure-devops/model.ts';
import { createAzureApi } from './azure-devops/server.ts';
import { AzureServiceHooks } from './azure-devops/service-hooks.ts';
import { JiraAuth } from './jira/auth.ts';
import { jiraControlRoutes } from './jira/control.ts';
import { CLOUD_PREFIX as JIRA_CLOUD_PREFIX, DC_PREFIX as JIRA_DC_PREFIX, JiraModel } from './jira/model.ts';
import { Searcher } from './jira/search.ts';
import { createJiraApi } from './jira/server.ts';
import { JiraWebhooks } from './jira/webhooks.ts';
import { log } from './log.ts';
import { createControlHandler, sharedControlRoutes } from './shared/control.ts';
import { newCounters } from './shared/counters.ts';
import { Faults } from './shared/faults.ts';
import { RateLimits } from './shared/rate-limits.ts';
import { RepoChanges } from './shared/repo-changes.ts';
import { ensureTls } from './tls.ts';
import type { ReadyLine } from './control-client.ts';

const { values } = parseArgs({
	options: {
		'data-dir': { type: 'string' },
		port: { type: 'string', default: '0' },
		'https-port': { type: 'string', default: '0' },
		seed: { type: 'string', default: '1' },
		orgs: { type: 'string', default: '2' },
		'repos-per-org': { type: 'string', default: '3' },
		'pull-requests': { type: 'string', default: '50' },
		commits: { type: 'string', default: '200' },
		'path-prefix': { type: 'string', default: '' },
		'jira-projects': { type: 'string', default: '3' },
		tickets: { type: 'string', default: '40' },
		'work-items': { type: 'string', default: '60' }
	}
});

function count(name: keyof typeof values, min: number): number {
	const value = Number(values[name]);
	if (!Number.isInteger(value) || value < min) {
		log('start.failed', { message: `--${name} must be an integer ≥ ${min}` });
		process.exit(2);
	}
	return value;
}

if (!values['data-dir']) {
	log('start.failed', { message: 'Usage: node simulator/index.ts --data-dir <dir> [--port 0] [--https-port 0] [--seed 1] …' });
	process.exit(2);
}
const dataDir = path.resolve(values['data-dir']);
mkdirSync(dataDir, { recursive: true });
const started = performance.now();

/** The App's key, PKCS#1 PEM as GitHub hands it out; made once per data dir. */
function appPrivateKey(): { file: string; pem: string } {
	const file = path.join(dataDir, 'app-private-key.pem');
	if (!existsSync(file)) {
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
		writeFileSync(file, privateKey, { mode: 0o600 });
	}
	return { file, pem: readFileSync(file, 'utf8') };
}

const world = new World({
	dataDir,
	seed: count('seed', 0),
	orgs: count('orgs', 1),
	reposPerOrg: count('repos-per-org', 1),
	pullRequests: count('pull-requests', 0),
	commits: count('commits', 1)
});
const [tls] = await Promise.all([ensureTls(dataDir), world.prepareGit(log)]);
const key = appPrivateKey();
const auth = new Auth(world, key.pem);
const gitlab = new GitLabModel(world);
const gitlabAuth = new GitLabAuth(gitlab);
// One budget per bucket and one list of faults; each API counts its own requests.
const rateLimits = new RateLimits();
const faults = new Faults();
const counters = { github: newCounters(), gitlab: newCounters() };
// Bitbucket Cloud (/bitbucket-cloud) and Data Center (/bitbucket-dc): two more views of the World.
const bitbucketCloud = new CloudModel(world);
const bitbucketDc = new DcModel(world);
const bitbucketCounters = { cloud: newCounters(), dc: newCounters() };
// Azure DevOps (/azure-devops/{organization}): another view of the World.
const azure = new AzureModel(world, { workItems: count('work-items', 0) });
const azureAuth = new AzureAuth(azure);
const azureCounters = newCounters();
// Jira Cloud (/jira-cloud) and Data Center (/jira-dc): two views of one Jira of its own (not the World).
const jira = new JiraModel({ seed: count('seed', 0), projects: count('jira-projects', 1), tickets: count('tickets', 0) });
const jiraAuth = new JiraAuth(jira);
const jiraSearcher = new Searcher(jira);
const jiraCounters = { cloud: newCounters(), dc: newCounters() };
const changes = new RepoChanges(world);
let httpOrigin = '';
const gitlabHost = () => `${httpOrigin}${GITLAB_PREFIX}`;

const api = createApi({ world, auth, rateLimits, faults, counters: counters.github, log });
const git = createGitHttp(world, auth, log);
const gitlabApi = createGitLabApi({ model: gitlab, auth: gitlabAuth, rateLimits, faults, counters: counters.gitlab, log });
const gitlabGit = createGitLabGitHttp(gitlab, gitlabAuth, log);
const bitbucketCloudApi = createCloudApi({ model: bitbucketCloud, rateLimits, faults, counters: bitbucketCounters.cloud, log });
const bitbucketCloudGit = createCloudGitHttp(bitbucketCloud, log);
const bitbucketDcApi = createDcApi({ model: bitbucketDc, rateLimits, faults, counters: bitbucketCounters.dc, log });
const bitbucketDcGit = createDcGitHttp(bitbucketDc, log);
const azureApi = createAzureApi({ model: azure, auth: azureAuth, rateLimits, faults, counters: azureCounters, log });
const azureGit = createAzureGitHttp(azure, azureAuth, log);
const jiraApi = createJiraApi({ model: jira, auth: jiraAuth, searcher: jiraSearcher, rateLimits, faults, counters: jiraCounters, log });
/** A Bitbucket credential's rate-limit bucket: Cloud's per credential, Data Center's per user. */
function bitbucketBucket(token: string) {
	const cloud = bitbucketCloud.find(token);
	if (cloud) return CloudModel.bucket(cloud);
	const dc = bitbucketDc.find(token);
	return dc ? DcModel.bucket(dc.user) : null;
}
const control = createControlHandler(
	[
		...sharedControlRoutes({
			rateLimits,
			faults,
			counters: [counters.github, counters.gitlab, bitbucketCounters.cloud, bitbucketCounters.dc, azureCounters, jiraCounters.cloud, jiraCounters.dc],
			bucketOf: (input) => {
				const jiraCredential = input.token === undefined ? undefined : jiraAuth.find(input.token);
				if (jiraCredential) return JiraAuth.bucket(jiraCredential);
				const bitbucket = input.token === undefined ? null : bitbucketBucket(input.token);
				if (bitbucket) return bitbucket;
				const azurePat = input.token === undefined ? undefined : azureAuth.find(input.token);
				if (azurePat) return AzureAuth.bucket(azurePat, '127.0.0.1');
				const gitlabToken = input.token === undefined ? undefined : gitlabAuth.find(input.token);
				return gitlabToken ? GitLabAuth.bucket(gitlabToken, '127.0.0.1') : auth.bucketOf(input);
			},
			revoke: (token) => {
				// A token is one provider's, so asking both is harmless.
				const revokedOnGitHub = auth.revoke(token);
				const revokedOnBitbucket = bitbucketCloud.revoke(token) || bitbucketDc.revoke(token);
				const revokedOnAzure = azureAuth.revoke(token);
				const revokedOnJira = jiraAuth.revoke(token);
				return gitlabAuth.revoke(token) || revokedOnGitHub || revokedOnBitbucket || revokedOnAzure || revokedOnJira;
			}
		}),
		...githubControlRoutes({ world, counters: counters.github, webhooks: new Webhooks(world, log), changes, httpOrigin: () => httpOrigin }),
		...gitlabControlRoutes({ model: gitlab, counters: counters.gitlab, webhooks: new GitLabWebhooks(gitlabHost, log), changes, host: gitlabHost }),
		...cloudControlRoutes({ model: bitbucketCloud, counters: bitbucketCounters.cloud, changes, log, origin: () => httpOrigin }),
		...dcControlRoutes({ model: bitbucketDc, counters: bitbucketCounters.dc, changes, log, origin: () => httpOrigin }),
		...azureControlRoutes({ model: azure, counters: azureCounters, hooks: new AzureServiceHooks(log), changes, origin: () => httpOrigin }),
		...jiraControlRoutes({ model: jira, searcher: jiraSearcher, webhooks: new JiraWebhooks(log), counters: jiraCounters, origin: () => httpOrigin })
	],
	log
);

function listener(scheme: 'http' | 'https') {
	return (req: http.IncomingMessage, res: http.ServerResponse) => {
		const local = req.socket.localPort;
		const origin = `${scheme}://${req.headers.host ?? `127.0.0.1:${local}`}`;
		let url: URL;
		try {
			url = new URL(req.url ?? '/', origin);
		} catch {
			res.writeHead(400).end();
			return;
		}
		if (url.pathname.startsWith('/_simulator/')) return void control(req, res, url);
		if (url.pathname === GITLAB_PREFIX || url.pathname.startsWith(`${GITLAB_PREFIX}/`)) {
			if (isGitLabGitPath(url.pathname)) return gitlabGit(req, res, url);
			if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) return void gitlabApi(req, res, origin, url);
			// GitLab's web pages are not simulated.
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
			return;
		}
		if (url.pathname === CLOUD_PREFIX || url.pathname.startsWith(`${CLOUD_PREFIX}/`)) {
			if (isCloudGitPath(url.pathname)) return bitbucketCloudGit(req, res, url);
			if (url.pathname === CLOUD_API_PREFIX || url.pathname.startsWith(`${CLOUD_API_PREFIX}/`)) return void bitbucketCloudApi(req, res, origin, url);
			// Bitbucket's web pages are not simulated.
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
			return;
		}
		if (url.pathname === DC_PREFIX || url.pathname.startsWith(`${DC_PREFIX}/`)) {
			if (isDcGitPath(url.pathname)) return bitbucketDcGit(req, res, url);
			const dcPrefix = DC_API_PREFIXES.find((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
			if (dcPrefix) return void bitbucketDcApi(req, res, origin, url, dcPrefix);
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
			return;
		}
		if ([JIRA_CLOUD_PREFIX, JIRA_DC_PREFIX].some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`))) return void jiraApi(req, res, origin, url);
		if (url.pathname === AZURE_PREFIX || url.pathname.startsWith(`${AZURE_PREFIX}/`)) {
			if (isAzureGitPath(url.pathname)) return azureGit(req, res, url);
			return void azureApi(req, res, origin, url);
		}
		if (isGitPath(url.pathname)) return git(req, res, url);
		void api(req, res, origin, url);
	};
}

const httpServer = http.createServer(listener('http'));
const httpsServer = https.createServer({ key: tls.key, cert: tls.cert }, listener('https'));
const listen = (server: http.Server, port: number) =>
	new Promise<number>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
	});
const [httpPort, httpsPort] = await Promise.all([listen(httpServer, count('port', 0)), listen(httpsServer, count('https-port', 0))]);
httpOrigin = `http://127.0.0.1:${httpPort}`;

const prefix = values['path-prefix'] ?? '';
const ready: ReadyLine = {
	event: 'listening',
	http: `${httpOrigin}${prefix}`,
	https: `https://127.0.0.1:${httpsPort}${prefix}`,
	caFile: tls.caFile,
	appPrivateKeyFile: key.file,
	tokens: auth.tokens,
	app: {
		id: world.app.id,
		clientId: world.app.clientId,
		slug: world.app.slug,
		installations: world.installations.map((i) => ({ id: i.id, account: i.org.login }))
	},
	orgs: world.orgs.map((org) => org.login),
	repos: world.repos.map((repo) => repo.fullName),
	gitlab: {
		http: gitlabHost(),
		https: `https://127.0.0.1:${httpsPort}${GITLAB_PREFIX}`,
		tokens: gitlabAuth.tokens,
		groups: gitlab.groups.map((group) => group.fullPath),
		projects: gitlab.projects.map((project) => project.pathWithNamespace)
	},
	bitbucketCloud: {
		api: `${httpOrigin}${CLOUD_API_PREFIX}`,
		apiHttps: `https://127.0.0.1:${httpsPort}${CLOUD_API_PREFIX}`,
		web: `${httpOrigin}${CLOUD_PREFIX}`,
		webHttps: `https://127.0.0.1:${httpsPort}${CLOUD_PREFIX}`,
		username: bitbucketCloud.viewer.nickname,
		email: bitbucketCloud.email,
		credentials: bitbucketCloud.credentials,
		workspaces: bitbucketCloud.workspaces.map((w) => w.slug),
		repositories: bitbucketCloud.repos.map((r) => `${r.workspace.slug}/${r.slug}`)
	},
	bitbucketDataCenter: {
		http: `${httpOrigin}${DC_PREFIX}`,
		https: `https://127.0.0.1:${httpsPort}${DC_PREFIX}`,
		username: bitbucketDc.viewer.name,
		password: bitbucketDc.password,
		tokens: bitbucketDc.tokens,
		projects: bitbucketDc.projects.map((p) => p.key),
		repositories: bitbucketDc.repos.map((r) => `${r.project.key}/${r.slug}`)
	},
	azureDevOps: {
		http: `${httpOrigin}${AZURE_PREFIX}`,
		https: `https://127.0.0.1:${httpsPort}${AZURE_PREFIX}`,
		tokens: azureAuth.tokens,
		organizations: azure.organizations.map((o) => o.name),
		projects: azure.projects.map((p) => `${p.organization.name}/${p.name}`),
		repositories: azure.repositories.map((r) => `${r.project.organization.name}/${r.project.name}/${r.name}`),
		workItems: { perProject: azure.boards.perProject, processes: Object.fromEntries(azure.projects.map((p) => [`${p.organization.name}/${p.name}`, azure.boards.processOf(p).name])) }
	},
	jiraCloud: {
		http: `${httpOrigin}${JIRA_CLOUD_PREFIX}`,
		https: `https://127.0.0.1:${httpsPort}${JIRA_CLOUD_PREFIX}`,
		email: jira.viewer.email,
		noBrowseEmail: jira.nonBrowser.email,
		tokens: jiraAuth.cloudTokens,
		projects: jira.projects.map((p) => p.key)
	},
	jiraDataCenter: {
		http: `${httpOrigin}${JIRA_DC_PREFIX}`,
		https: `https://127.0.0.1:${httpsPort}${JIRA_DC_PREFIX}`,
		username: jira.viewer.name,
		password: jiraAuth.dcPassword,
		tokens: jiraAuth.dcTokens,
		projects: jira.projects.map((p) => p.key)
	}
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
log('ready', { ms: Math.round(performance.now() - started), repos: world.repos.length, gitlabProjects: gitlab.projects.length, jiraTickets: jira.projects.reduce((n, p) => n + p.tickets.length, 0), azureWorkItems: azure.boards.perProject * azure.projects.length });

function stop(signal: string) {
	log('stopping', { signal });
	httpServer.closeAllConnections();
	httpsServer.closeAllConnections();
	let open = 2;
	const closed = () => {
		if (--open === 0) process.exit(0);
	};
	httpServer.close(closed);
	httpsServer.close(closed);
	setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
