// A request that got no answer (a refused connection, an untrusted certificate, a name that does
// not resolve…), as a category and a sentence naming what to check: the same for every provider.

export type NetworkFailureCategory = 'tls' | 'dns' | 'unreachable' | 'private-network';

const tlsCodes = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'ERR_SSL_WRONG_VERSION_NUMBER'
]);

/** The first `code` along an error's causes (undici puts the socket's error two causes down). */
export function networkCodeOf(error: unknown): { code: string; message: string } | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && code) return { code, message: (current as Error).message ?? '' };
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * `server`: how the sentence names it ("GitHub", "Your GitLab server (gitlab.example.com)").
 * `caFix`: what to do about an untrusted certificate on this kind (a CA field, or a proxy to check).
 */
export function describeNetworkFailure(network: { code: string; message: string }, server: string, caFix: string): { category: NetworkFailureCategory; message: string } {
	const { code } = network;
	if (code === 'EPRIVATE') return { category: 'private-network', message: network.message };
	if (tlsCodes.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate/i.test(network.message)) {
		return { category: 'tls', message: `${server} presented a certificate this server does not trust (${code}: ${network.message}): ${caFix}.` };
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
		return { category: 'dns', message: `${server} could not be found: its host name does not resolve (${code}). Check the address for typos, and that this server's DNS knows it.` };
	}
	if (code === 'ECONNREFUSED') return { category: 'unreachable', message: `${server} refused the connection (nothing listens at that address and port): check the address and port.` };
	return { category: 'unreachable', message: `${server} could not be reached (${code}): check the address, and that the network lets this server connect to it.` };
}
