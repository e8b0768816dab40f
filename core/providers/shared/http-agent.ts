// How a provider's field client reaches its server: the same network rules as git (no private
// addresses unless TRIBUTARY_GIT_PRIVATE_NETWORKS allows them, checked on every address a name
// resolves to), and a self-hosted server's own CA when one was given.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { mayConnectTo } from '#core/git/remote.ts';
import type { GitSettings } from '#core/git/run-git.ts';

const privateNetwork = (host: string) => `${host} is on a private network, which this server does not reach (TRIBUTARY_GIT_PRIVATE_NETWORKS allows it).`;

/** A DNS lookup that answers only with addresses git would also be allowed to reach. */
function guardedLookup(settings: GitSettings) {
	return (hostname: string, options: object, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
		dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
			if (error) return callback(error, []);
			const found = addresses as LookupAddress[];
			if (found.length === 0 || !found.every((a) => mayConnectTo(a.address, settings))) {
				return callback(Object.assign(new Error(privateNetwork(hostname)), { code: 'EPRIVATE' }), []);
			}
			const all = (options as { all?: boolean }).all;
			if (all) return callback(null, found);
			callback(null, found[0]!.address, found[0]!.family);
		});
	};
}

/**
 * The dispatcher for requests to `apiUrl`. An address given as an IP literal is checked here (no
 * lookup happens for it); a name is checked on each connection. Throws with code EPRIVATE.
 */
export function createProviderAgent(apiUrl: string, settings: GitSettings, caCertificate?: string | null): Agent {
	const host = new URL(apiUrl).hostname.replace(/^\[|\]$/g, '');
	if (/^[\d.]+$|:/.test(host) && !mayConnectTo(host, settings)) throw Object.assign(new Error(privateNetwork(host)), { code: 'EPRIVATE' });
	return new Agent({ connect: { ca: caCertificate ?? undefined, lookup: guardedLookup(settings) } });
}
