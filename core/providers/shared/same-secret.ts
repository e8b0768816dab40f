// Webhook secrets sent as they are (GitLab's X-Gitlab-Token, an Azure DevOps service hook's basic
// authentication password) are compared in a time that tells nothing of where they differ: both
// sides are hashed first, so the comparison is of equal lengths whatever was sent.
import { createHash, timingSafeEqual } from 'node:crypto';

export function sameSecret(given: string, expected: string): boolean {
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(expected));
}
