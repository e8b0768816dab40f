// GitLab's webhooks: not signed; each delivery carries the hook's secret token in X-Gitlab-Token,
// compared here in constant time. A delivery is identified by X-Gitlab-Event-UUID (a resend
// repeats it), else by its Idempotency-Key. Push and tag push → an update of that project;
// merge request events and notes on merge requests → an update of its merge requests
// (incremental: only what changed is fetched). Everything else is acknowledged and ignored.
import type { ProviderWebhooks, WebhookEffect } from '../provider.ts';
import { sameSecret } from '../shared/same-secret.ts';

const updating: Record<string, string> = {
	'Push Hook': 'new commits',
	'Tag Push Hook': 'a new or deleted tag',
	'Merge Request Hook': 'a merge request',
	'Note Hook': 'a comment'
};

export const gitlabWebhooks: ProviderWebhooks = {
	async verify(secret, _body, headers) {
		const token = headers.get('x-gitlab-token');
		return token !== null && sameSecret(token, secret);
	},

	read(body, headers) {
		const id = headers.get('x-gitlab-event-uuid') ?? headers.get('idempotency-key');
		const event = headers.get('x-gitlab-event');
		if (!id || !event) return { ok: false, message: 'A GitLab delivery names itself in X-Gitlab-Event and X-Gitlab-Event-UUID; this one does not.' };
		let payload: { object_kind?: unknown; project_id?: unknown; project?: { id?: unknown }; object_attributes?: { action?: unknown; noteable_type?: unknown } };
		try {
			payload = JSON.parse(body) as typeof payload;
		} catch {
			return { ok: false, message: 'The body is not JSON: this is not a GitLab webhook delivery.' };
		}
		const attributes = payload.object_attributes;
		const action = typeof attributes?.action === 'string' ? attributes.action : null;
		const delivery = { id: id.slice(0, 100), event: event.slice(0, 100), action: action?.slice(0, 100) ?? null };
		const effect = (): WebhookEffect => {
			const what = updating[event];
			if (!what) return { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			if (event === 'Note Hook' && attributes?.noteable_type !== 'MergeRequest') return { kind: 'ignored', reason: 'a comment on something other than a merge request' };
			const projectId = payload.project?.id ?? payload.project_id;
			if (typeof projectId !== 'number' && typeof projectId !== 'string') return { kind: 'ignored', reason: 'it names no project' };
			return { kind: 'update', repositories: [String(projectId)], what };
		};
		return { ok: true, delivery, effect: effect() };
	},

	firstDelivery: 'GitLab sends nothing until something happens: its webhook’s Test → Push events sends one now, and it appears here.',

	instructions:
		'On GitLab, open the group’s (Premium) or each project’s Settings → Webhooks → Add new webhook. Paste the URL below, and the secret below as the “Secret token”; select the triggers Push events (all branches), Tag push events, Comments and Merge request events, and keep SSL verification on.'
};
