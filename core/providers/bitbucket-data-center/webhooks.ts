// Bitbucket Data Center's webhooks: signed with the secret (X-Hub-Signature), identified by
// X-Request-Id. A push (repo:refs_changed) → an update of that repository; pull request events
// (opened, changed, reviewed, merged, declined, commented) → an incremental update of its pull
// requests; a deleted comment is removed at once; the webhook's Test button sends a ping.
import type { ProviderWebhooks, WebhookEffect } from '../provider.ts';
import { hubSignatureValid } from '../shared/hub-signature.ts';

const updating: Record<string, string> = {
	'repo:refs_changed': 'new commits or tags',
	'pr:opened': 'a new pull request',
	'pr:modified': 'a changed pull request',
	'pr:from_ref_updated': 'new commits on a pull request',
	'pr:reviewer:approved': 'an approval',
	'pr:reviewer:unapproved': 'a withdrawn approval',
	'pr:reviewer:needs_work': 'a “needs work” review',
	'pr:reviewer:changes_requested': 'a change request',
	'pr:merged': 'a merged pull request',
	'pr:declined': 'a declined pull request',
	'pr:deleted': 'a deleted pull request',
	'pr:comment:added': 'a comment',
	'pr:comment:edited': 'an edited comment'
};

interface Payload {
	repository?: { id?: unknown };
	pullRequest?: { toRef?: { repository?: { id?: unknown } } };
	comment?: { id?: unknown };
	commentAnchor?: unknown;
}

export const dataCenterWebhooks: ProviderWebhooks = {
	async verify(secret, body, headers) {
		return hubSignatureValid(secret, body, headers.get('x-hub-signature'));
	},

	read(body, headers) {
		const id = headers.get('x-request-id');
		const event = headers.get('x-event-key');
		if (!id || !event) return { ok: false, message: 'A Bitbucket delivery names itself in X-Event-Key and X-Request-Id; this one does not.' };
		let payload: Payload;
		try {
			payload = JSON.parse(body) as Payload;
		} catch {
			return { ok: false, message: 'The body is not JSON: this is not a Bitbucket webhook delivery.' };
		}
		const parts = event.split(':');
		const delivery = { id: id.slice(0, 100), event: parts[0]!.slice(0, 100), action: parts.slice(1).join(':').slice(0, 100) || null };
		const effect = (): WebhookEffect => {
			if (event === 'diagnostics:ping') return { kind: 'ping' };
			const repository = payload.repository?.id ?? payload.pullRequest?.toRef?.repository?.id;
			if (typeof repository !== 'number' && typeof repository !== 'string') return updating[event] ? { kind: 'ignored', reason: 'it names no repository' } : { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			if (event === 'pr:comment:deleted') {
				const comment = payload.comment?.id;
				if (typeof comment !== 'number' && typeof comment !== 'string') return { kind: 'ignored', reason: 'it names no comment' };
				return { kind: 'removed', repository: String(repository), table: payload.commentAnchor ? 'pull_request_review_comments' : 'pull_request_comments', providerId: String(comment), what: 'a deleted comment' };
			}
			const what = updating[event];
			if (!what) return { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			return { kind: 'update', repositories: [String(repository)], what };
		};
		return { ok: true, delivery, effect: effect() };
	},

	firstDelivery: 'Bitbucket sends nothing until something happens: the webhook’s “Test connection” button sends a ping now, and it appears here.',

	instructions:
		'On Bitbucket, open the project’s (for all its repositories) or a repository’s settings → Webhooks → Create webhook. Paste the URL below, and the secret below as the “Secret”; choose the events Repository: Push, and Pull request: Opened, Source branch updated, Modified, Approved, Unapproved, Needs work, Merged, Declined, Deleted, Comment added, Comment edited, Comment deleted.'
};
