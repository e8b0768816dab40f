// Where git may go for a repository URL a person typed. Testing or fetching a URL must not become
// a way to look inside the network Tributary runs in, nor to read Tributary's own files:
// - a network URL's host is resolved here, and refused when any of its addresses is loopback,
//   private, link-local (cloud metadata services live there) or otherwise not on the internet,
//   unless TRIBUTARY_GIT_PRIVATE_NETWORKS allows it; git is then pinned to the address checked, so
//   a second DNS answer cannot send it elsewhere, and it follows no redirect (run-git.ts);
// - a refusal names neither the address nor the port, and comes before any connection, so it reads
//   the same for an open port as for a closed one;
// - a local path may not lead into the mirror folder, where other integrations' copies live.
import { lookup } from 'node:dns/promises';
import { realpath } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { parseRepositoryUrl } from '#core/domain/integrations/git-url.ts';
import { GitError, type GitFailure } from './git-errors.ts';
import { assertSafeArgument, type ConnectTo, type GitSettings } from './run-git.ts';

export interface Remote {
	/** The URL to give git. */
	url: string;
	/** The settings to run git with for it: a listed local repository allows file://, for itself alone. */
	settings: GitSettings;
	/** The checked address git must connect to, for a network URL named by host. */
	connectTo?: ConnectTo;
}

const notOnTheInternet = new BlockList();
for (const [network, prefix] of [
	['0.0.0.0', 8], // "this network"
	['10.0.0.0', 8],
	['100.64.0.0', 10], // carrier-grade NAT; Alibaba's metadata service
	['127.0.0.0', 8],
	['169.254.0.0', 16], // link-local: the metadata service of AWS, GCP and Azure
	['172.16.0.0', 12],
	['192.0.0.0', 24],
	['192.168.0.0', 16],
	['198.18.0.0', 15],
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4] // reserved, and the broadcast address
] as const) {
	notOnTheInternet.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
	['::', 128],
	['::1', 128],
	['::', 96], // IPv4-compatible (IPv4-mapped ones are checked against the IPv4 ranges)
	['64:ff9b::', 96], // NAT64: IPv4 behind a translator
	['64:ff9b:1::', 48],
	['100::', 64],
	['2001::', 32], // Teredo
	['2002::', 16], // 6to4
	['fc00::', 7], // unique local, AWS's metadata service among them
	['fe80::', 10],
	['fec0::', 10],
	['ff00::', 8]
] as const) {
	notOnTheInternet.addSubnet(network, prefix, 'ipv6');
}

const refusal = (host: string): GitFailure => ({
	kind: 'other',
	permanent: true,
	message: `${host} is an address inside a private network (loopback, private, link-local or metadata), which Tributary does not reach for a URL someone typed. An administrator can allow such networks with TRIBUTARY_GIT_PRIVATE_NETWORKS.`
});

const hostNotFound: GitFailure = {
	kind: 'host-not-found',
	permanent: false,
	message: 'The server name could not be found (DNS): check the host in the URL, and that the Tributary worker can resolve it.'
};

function allowedNetworks(settings: GitSettings): BlockList {
	const allowed = new BlockList();
	for (const entry of settings.gitPrivateNetworks ?? []) {
		const [address = '', prefix] = entry.split('/');
		const family = isIP(address);
		if (family === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
			throw new GitError({
				kind: 'other',
				permanent: false,
				message: `TRIBUTARY_GIT_PRIVATE_NETWORKS has “${entry}”, which is neither an address nor a network like 10.1.0.0/16: fix the setting.`
			});
		}
		const type = family === 4 ? 'ipv4' : 'ipv6';
		if (prefix === undefined) allowed.addAddress(address, type);
		else allowed.addSubnet(address, Number(prefix), type);
	}
	return allowed;
}

/** Whether git may connect to `address` (an IPv4 or IPv6 address). */
export function mayConnectTo(address: string, settings: GitSettings): boolean {
	const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
	return !notOnTheInternet.check(address, type) || allowedNetworks(settings).check(address, type);
}

const defaultPorts: Record<string, number> = { 'https:': 443, 'http:': 80, 'ssh:': 22, 'git:': 9418 };

async function addressesOf(host: string): Promise<string[]> {
	if (isIP(host)) return [host];
	try {
		return (await lookup(host, { all: true, verbatim: true })).map((found) => found.address);
	} catch {
		throw new GitError(hostNotFound);
	}
}

async function networkRemote(url: string, settings: GitSettings): Promise<Remote> {
	const parsed = new URL(url);
	const host = parsed.hostname.replace(/^\[|\]$/g, '');
	const port = parsed.port ? Number(parsed.port) : defaultPorts[parsed.protocol]!;
	const addresses = await addressesOf(host.replace(/\.$/, ''));
	// Every address, not only the first: git (or a later answer) may pick any of them.
	if (addresses.length === 0 || !addresses.every((address) => mayConnectTo(address, settings))) {
		throw new GitError(refusal(host));
	}
	if (isIP(host)) return { url, settings };
	const address = addresses[0]!;
	const scheme = parsed.protocol.slice(0, -1);
	if (scheme === 'git') {
		// git's own protocol has no setting to pin an address: name it in the URL instead.
		parsed.hostname = isIP(address) === 6 ? `[${address}]` : address;
		return { url: parsed.toString(), settings };
	}
	return { url, settings, connectTo: { scheme: scheme as ConnectTo['scheme'], host, port, address } };
}

async function insideOf(folder: string, candidate: string): Promise<boolean> {
	const real = async (p: string) => realpath(p).catch(() => path.resolve(p));
	const [inner, outer] = await Promise.all([real(candidate), real(folder)]);
	return inner === outer || inner.startsWith(outer + path.sep);
}

/**
 * Checks `url` against the server's rules (scheme, local paths, networks) and says what git
 * should connect to. Throws a GitError whose message a person can act on.
 */
export async function openRemote(url: string, settings: GitSettings): Promise<Remote> {
	const parsed = parseRepositoryUrl(url, settings.gitAllowedSchemes, settings.gitLocalRepositories);
	if (!parsed.ok) throw new GitError({ kind: 'other', permanent: true, message: parsed.message });
	assertSafeArgument(parsed.url, 'repository URL');
	if (parsed.url.startsWith('file://')) {
		if (await insideOf(settings.gitMirrorDir, parsed.url.slice('file://'.length))) {
			throw new GitError({
				kind: 'other',
				permanent: true,
				message: "That path is inside Tributary's mirror folder, which holds the copies of every integration's repositories: give the repository's own path."
			});
		}
		const listedOnly = !settings.gitAllowedSchemes.includes('file');
		return { url: parsed.url, settings: listedOnly ? { ...settings, gitAllowedSchemes: [...settings.gitAllowedSchemes, 'file'] } : settings };
	}
	return networkRemote(parsed.url, settings);
}
