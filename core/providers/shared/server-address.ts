// What every self-hosted kind asks for beside its credentials: the server's address and,
// optionally, the CA that signed its certificate. Checked before anything is sent there.
import type { Check } from '../provider.ts';

export interface ServerLabels {
	/** "GitHub Enterprise Server", "GitLab server". */
	product: string;
	/** "https://github.example.com". */
	example: string;
	/** What to give instead of credentials in the address: "the token or App below". */
	credentials: string;
	/** An API path people paste along with the address, which the product adds itself ("/api/v3"). */
	apiSuffix?: RegExp;
}

/** A server's address: https (or a scheme this server allows), a host, perhaps a path; nothing else. */
export function readServerUrl(input: string | undefined, allowedSchemes: string[], labels: ServerLabels): Check<string> {
	const text = input?.trim();
	if (!text) return { ok: false, errors: { baseUrl: `Enter your ${labels.product}’s address, like ${labels.example}.` } };
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { ok: false, errors: { baseUrl: `This is not a web address: it should look like ${labels.example}.` } };
	}
	const scheme = url.protocol.slice(0, -1);
	if (scheme !== 'https' && !(scheme === 'http' && allowedSchemes.includes('http'))) {
		return { ok: false, errors: { baseUrl: `The address must start with https://${allowedSchemes.includes('http') ? ' or http://' : ''}.` } };
	}
	if (url.username || url.password) return { ok: false, errors: { baseUrl: `Leave credentials out of the address: give ${labels.credentials}.` } };
	if (url.search || url.hash) return { ok: false, errors: { baseUrl: 'The address takes no ?query or #fragment.' } };
	let path = url.pathname.replace(/\/+$/, '');
	if (labels.apiSuffix) path = path.replace(labels.apiSuffix, '');
	return { ok: true, value: `${url.protocol}//${url.host}${path}` };
}

/** A CA certificate as pasted: one or more PEM certificates, or a reason it is not. */
export function readCaCertificate(input: string | undefined): Check<string | null> {
	const text = input?.replace(/\r\n?/g, '\n').trim();
	if (!text) return { ok: true, value: null };
	if (/PRIVATE KEY-----/.test(text)) return { ok: false, errors: { caCertificate: 'This is a private key: paste the CA’s certificate (“-----BEGIN CERTIFICATE-----”), which is public.' } };
	if (!/^(-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*)+$/.test(text)) {
		return { ok: false, errors: { caCertificate: 'Paste the CA certificate in PEM form: from “-----BEGIN CERTIFICATE-----” to “-----END CERTIFICATE-----”.' } };
	}
	return { ok: true, value: `${text}\n` };
}
