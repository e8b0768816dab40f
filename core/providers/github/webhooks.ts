// GitHub's webhooks: deliveries signed with HMAC-SHA256 of the raw body (X-Hub-Signature-256),
// identified by X-GitHub-Delivery (a redelivery repeats it), with the event in X-GitHub-Event.
// push → an update of that repository; pull_request and pull_request_review → an update of that
// repository's pull requests (incremental: only what changed is fetched); ping → acknowledged.
import { verify } from '@octokit/webhooks-methods';
import type { ProviderWebhooks, WebhookEffect } from '../provider.ts';

const updating: Record<string, string> = {
	push: 'new commits',
	create: 'a new branch or tag',
	delete: 'a deleted branch or tag',
	pull_request: 'a pull request',
	pull_request_review: 'a review',
	pull_request_review_comment: 'a review comment',
	issue_comment: 'a comment'
};

export const githubWebhooks: ProviderWebhooks = {
	async verify(secret, body, headers) {
		const signature = headers.get('x-hub-signature-256');
		if (!signature || !signature.startsWith('sha256=')) return false;
		try {
			return await verify(secret, body, signature);
		} catch {
			return false;
		}
	},

	read(body, headers) {
		const id = headers.get('x-github-delivery');
		const event = headers.get('x-github-event');
		if (!id || !event) return { ok: false, message: 'A GitHub delivery names itself in X-GitHub-Delivery and X-GitHub-Event; this one does not.' };
		let payload: { action?: unknown; repository?: { id?: unknown; full_name?: unknown }; issue?: { pull_request?: unknown }; comment?: { id?: unknown } };
		try {
			payload = JSON.parse(body) as typeof payload;
		} catch {
			return { ok: false, message: 'The body is not JSON: choose "application/json" as the content type of this webhook on GitHub.' };
		}
		const action = typeof payload.action === 'string' ? payload.action : null;
		const delivery = { id: id.slice(0, 100), event: event.slice(0, 100), action: action?.slice(0, 100) ?? null };
		const effect = (): WebhookEffect => {
			if (event === 'ping') return { kind: 'ping' };
			const what = updating[event];
			if (!what) return { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			// A comment on an issue that is not a pull request is not ours to read.
			if (event === 'issue_comment' && !payload.issue?.pull_request) return { kind: 'ignored', reason: 'a comment on an issue, not on a pull request' };
			const repositoryId = payload.repository?.id;
			if (typeof repositoryId !== 'number' && typeof repositoryId !== 'string') return { kind: 'ignored', reason: 'it names no repository' };
			// A deleted comment never shows in the lists of comments changed since a time: gone at once.
			const commentId = payload.comment?.id;
			if (action === 'deleted' && (event === 'issue_comment' || event === 'pull_request_review_comment') && (typeof commentId === 'number' || typeof commentId === 'string')) {
				const table = event === 'issue_comment' ? 'pull_request_comments' : 'pull_request_review_comments';
				return { kind: 'removed', repository: String(repositoryId), table, providerId: String(commentId), what: `a deleted ${event === 'issue_comment' ? 'comment' : 'review comment'}` };
			}
			return { kind: 'update', repositories: [String(repositoryId)], what };
		};
		return { ok: true, delivery, effect: effect() };
	},

	firstDelivery: 'GitHub sends a ping as soon as the webhook is saved: it appears here.',

	instructions:
		'On GitHub, open the organisation’s (or repository’s) Settings → Webhooks → Add webhook. Paste the payload URL and the secret below, choose the content type "application/json", and select the events Push, Pull requests, Pull request reviews, Pull request review comments and Issue comments (or "Send me everything").'
};
