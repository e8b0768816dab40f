// Starts the simulator as its own process (with the Node running this code) and waits for its
// ready line: for tests, the benchmark and `npm start`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SimulatorControl, type ReadyLine } from './control-client.ts';

export interface SimulatorOptions {
	dataDir: string;
	port?: number;
	httpsPort?: number;
	seed?: number;
	orgs?: number;
	reposPerOrg?: number;
	pullRequests?: number;
	commits?: number;
	pathPrefix?: string;
	/** Jira projects (both sites show the same ones); 3 by default. */
	jiraProjects?: number;
	/** Tickets per Jira project; 40 by default. */
	tickets?: number;
	/** Azure Boards work items per Azure DevOps project; 60 by default. */
	workItems?: number;
	/** Each stderr log line (JSON); by default they are dropped. */
	onLog?: (line: string) => void;
}

export interface RunningSimulator {
	/** Where its data lives: the bare git repositories are in `<dataDir>/git/<owner>/<repo>.git`. */
	dataDir: string;
	http: string;
	https: string;
	caFile: string;
	appPrivateKeyFile: string;
	tokens: ReadyLine['tokens'];
	app: ReadyLine['app'];
	orgs: string[];
	repos: string[];
	/** The GitLab under `/gitlab`: its hosts, tokens, groups and projects. */
	gitlab: ReadyLine['gitlab'];
	/** Bitbucket Cloud under `/bitbucket-cloud`: API roots, credentials, workspaces, repositories. */
	bitbucketCloud: ReadyLine['bitbucketCloud'];
	/** Bitbucket Data Center under `/bitbucket-dc`: base URLs, password, tokens, projects, repositories. */
	bitbucketDataCenter: ReadyLine['bitbucketDataCenter'];
	/** Azure DevOps under `/azure-devops`: base URLs, PATs, organisations, projects, repositories. */
	azureDevOps: ReadyLine['azureDevOps'];
	/** Jira Cloud under `/jira-cloud`: site URLs, emails, API tokens, project keys. */
	jiraCloud: ReadyLine['jiraCloud'];
	/** Jira Data Center under `/jira-dc`: server URLs, username, password, tokens, project keys. */
	jiraDataCenter: ReadyLine['jiraDataCenter'];
	control: SimulatorControl;
	pid: number;
	stop(): Promise<void>;
}

const flags: Array<[keyof SimulatorOptions, string]> = [
	['port', '--port'],
	['httpsPort', '--https-port'],
	['seed', '--seed'],
	['orgs', '--orgs'],
	['reposPerOrg', '--repos-per-org'],
	['pullRequests', '--pull-requests'],
	['commits', '--commits'],
	['pathPrefix', '--path-prefix'],
	['jiraProjects', '--jira-projects'],
	['tickets', '--tickets'],
	['workItems', '--work-items']
];

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
	const args = [path.join(import.meta.dirname, 'index.ts'), '--data-dir', options.dataDir];
	for (const [key, flag] of flags) if (options[key] !== undefined) args.push(flag, String(options[key]));
	const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	const recent: string[] = [];
	createInterface({ input: child.stderr }).on('line', (line) => {
		recent.push(line);
		if (recent.length > 20) recent.shift();
		options.onLog?.(line);
	});
	// A simulator must not outlive the process that started it.
	const orphaned = () => child.kill('SIGTERM');
	process.once('exit', orphaned);
	const exited = new Promise<number | null>((resolve) =>
		child.once('exit', (code) => {
			process.off('exit', orphaned);
			resolve(code);
		})
	);
	const ready = await new Promise<ReadyLine>((resolve, reject) => {
		const lines = createInterface({ input: child.stdout });
		lines.once('line', (line) => {
			try {
				resolve(JSON.parse(line) as ReadyLine);
			} catch {
				reject(new Error(`The simulator printed ${line} instead of its ready line.`));
			}
		});
		child.once('error', reject);
		void exited.then((code) => reject(new Error(`The simulator exited (${code}) before it was ready:\n${recent.join('\n')}`)));
	});
	const origin = new URL(ready.http).origin;
	return {
		dataDir: options.dataDir,
		http: ready.http,
		https: ready.https,
		caFile: ready.caFile,
		appPrivateKeyFile: ready.appPrivateKeyFile,
		tokens: ready.tokens,
		app: ready.app,
		orgs: ready.orgs,
		repos: ready.repos,
		gitlab: ready.gitlab,
		bitbucketCloud: ready.bitbucketCloud,
		bitbucketDataCenter: ready.bitbucketDataCenter,
		azureDevOps: ready.azureDevOps,
		jiraCloud: ready.jiraCloud,
		jiraDataCenter: ready.jiraDataCenter,
		control: new SimulatorControl(origin),
		pid: child.pid!,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			await exited;
		}
	};
}
