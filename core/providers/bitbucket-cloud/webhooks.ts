// Bitbucket Cloud's webhooks: signed with the secret (X-Hub-Signature), identified by
// X-Request-UUID (a retry repeats it, with a higher X-Attempt-Number). A push → an update of that
// repository; pull request events and their comments, approvals and change requests → an
// incremental update of its pull requests; a deleted comment is removed at once (no list read
// can tell what is gone).
import type { ProviderWebhooks, WebhookEffect } from '../provider.ts';
import { hubSignatureValid } from '../shared/hub-signature.ts';

const updating: Record<string, string> = {
	'repo:push': 'new commits or tags',
	'pullrequest:created': 'a new pull request',
	'pullrequest:updated': 'a changed pull request',
	'pullrequest:fulfilled': 'a merged pull request',
	'pullrequest:rejected': 'a declined pull request',
	'pullrequest:approved': 'an approval',
	'pullrequest:unapproved': 'a withdrawn approval',
	'pullrequest:changes_request_created': 'a change request',
	'pullrequest:changes_request_removed': 'a withdrawn change request',
	'pullrequest:comment_created': 'a comment',
	'pullrequest:comment_updated': 'an edited comment',
	'pullrequest:comment_resolved': 'a resolved comment',
	'pullrequest:comment_reopened': 'a reopened comment'
};

interface Payload {
	repository?: { uuid?: unknown };
	comment?: { id?: unknown; inline?: unknown };
}

export const cloudWebhooks: ProviderWebhooks = {
	async verify(secret, body, headers) {
		return hubSignatureValid(secret, body, headers.get('x-hub-signature'));
	},

	read(body, headers) {
		const id = headers.get('x-request-uuid');
		const event = headers.get('x-event-key');
		if (!id || !event) return { ok: false, message: 'A Bitbucket Cloud delivery names itself in X-Event-Key and X-Request-UUID; this one does not.' };
		let payload: Payload;
		try {
			payload = JSON.parse(body) as Payload;
		} catch {
			return { ok: false, message: 'The body is not JSON: this is not a Bitbucket webhook delivery.' };
		}
		const [kind, action] = event.split(':', 2) as [string, string | undefined];
		const delivery = { id: id.slice(0, 100), event: kind.slice(0, 100), action: action?.slice(0, 100) ?? null };
		const effect = (): WebhookEffect => {
			const repository = payload.repository?.uuid;
			if (typeof repository !== 'string') return updating[event] ? { kind: 'ignored', reason: 'it names no repository' } : { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			if (event === 'pullrequest:comment_deleted') {
				const comment = payload.comment?.id;
				if (typeof comment !== 'number' && typeof comment !== 'string') return { kind: 'ignored', reason: 'it names no comment' };
				return { kind: 'removed', repository, table: payload.comment?.inline ? 'pull_request_review_comments' : 'pull_request_comments', providerId: String(comment), what: 'a deleted comment' };
			}
			const what = updating[event];
			if (!what) return { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			return { kind: 'update', repositories: [repository], what };
		};
		return { ok: true, delivery, effect: effect() };
	},

	firstDelivery: 'Bitbucket Cloud sends nothing until something happens (a push, a pull request): the first one appears here.',

	instructions:
		'On Bitbucket Cloud, open the repository’s Repository settings → Webhooks → Add webhook (or the workspace’s settings, for all its repositories). Paste the URL below, and the secret below as the “Secret”; choose the triggers Repository: Push, and every Pull request trigger (Created, Updated, Approved, Approval removed, Changes requested, Changes request removed, Merged, Declined, Comment created, Comment updated, Comment deleted).'
};
