// The demo's GitHub Enterprise Server: the provider simulator (simulator/), started beside the
// embedded engines so a new user sees a hosted provider work end to end. Its ports are kept in
// the data folder, so the demo integration's address stays right across starts; its data comes
// from a fixed seed (the same tokens every time).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../simulator/launch.ts';
import { choosePort } from './ports.ts';

export async function startDemoSimulator(dataDir: string): Promise<RunningSimulator> {
	const dir = path.join(dataDir, 'simulator');
	mkdirSync(dir, { recursive: true });
	const portsFile = path.join(dir, 'ports.json');
	const remembered = existsSync(portsFile) ? (JSON.parse(readFileSync(portsFile, 'utf8')) as { http?: number; https?: number }) : {};
	const port = await choosePort(remembered.http, 3_480);
	const httpsPort = await choosePort(remembered.https, 3_443);
	writeFileSync(portsFile, JSON.stringify({ http: port, https: httpsPort }));
	const simulator = await startSimulator({ dataDir: dir, port, httpsPort, seed: 1, orgs: 2, reposPerOrg: 3, pullRequests: 60, commits: 400 });
	// Its addresses, tokens and App, for a person (or a browser test) who wants to add the simulated
	// server by hand: they are the simulator's made-up accounts, nothing real.
	const { control: _control, stop: _stop, ...described } = simulator;
	writeFileSync(path.join(dir, 'ready.json'), JSON.stringify(described, null, 2));
	return simulator;
}
