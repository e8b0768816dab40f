// Bitbucket (Cloud and Data Center) and Jira sign a delivery like GitHub does: X-Hub-Signature is
// `sha256=` and the hex HMAC-SHA256 of the raw body under the webhook's secret. Compared in
// constant time; a delivery without the header was not signed with our secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hubSignatureValid(secret: string, body: string, header: string | null): boolean {
	const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
	if (!match) return false;
	const expected = createHmac('sha256', secret).update(body, 'utf8').digest();
	return timingSafeEqual(Buffer.from(match[1]!.toLowerCase(), 'hex'), expected);
}
