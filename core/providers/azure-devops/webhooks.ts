// Azure DevOps's service hooks (Web Hooks consumer): not signed; each notification carries the
// subscription's basic authentication, whose password is the secret (the user name is anything),
// compared here in constant time. A notification is identified by its event's `id` (a GUID in the
// body: the same for a resend, which Azure gives a new notificationId). A push (git.push) → an
// update of that repository; pull request events (created, updated, merged, commented on) → an
// update of its repository's pull requests (incremental). Everything else is acknowledged and ignored.
import type { ProviderWebhooks, WebhookEffect } from '../provider.ts';
import { sameSecret } from '../shared/same-secret.ts';

const updating: Record<string, string> = {
	'git.push': 'new commits or tags',
	'git.pullrequest.created': 'a new pull request',
	'git.pullrequest.updated': 'a changed pull request',
	'git.pullrequest.merged': 'a merged pull request',
	'ms.vss-code.git-pullrequest-comment-event': 'a comment'
};

/** The password of `Authorization: Basic base64(user:password)`; null without one. */
export function basicPassword(header: string | null): string | null {
	const encoded = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header?.trim() ?? '')?.[1];
	if (!encoded) return null;
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon < 0 ? null : decoded.slice(colon + 1);
}

interface Payload {
	id?: unknown;
	eventType?: unknown;
	resource?: {
		id?: unknown;
		workItemId?: unknown;
		repository?: { id?: unknown };
		pullRequest?: { repository?: { id?: unknown } };
	};
	resourceContainers?: { project?: { id?: unknown } };
}

/** Work item events (Azure Boards): created and updated update their project; deleted removes the work item. */
const workItems: Record<string, string> = {
	'workitem.created': 'a new work item',
	'workitem.updated': 'a changed work item',
	'workitem.restored': 'a restored work item',
	'workitem.commented': 'a comment on a work item'
};

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const azureWebhooks: ProviderWebhooks = {
	async verify(secret, _body, headers) {
		const password = basicPassword(headers.get('authorization'));
		return password !== null && sameSecret(password, secret);
	},

	read(body) {
		let payload: Payload;
		try {
			payload = JSON.parse(body) as Payload;
		} catch {
			return { ok: false, message: 'The body is not JSON: this is not an Azure DevOps service hook notification.' };
		}
		if (typeof payload !== 'object' || payload === null || typeof payload.id !== 'string' || !guid.test(payload.id) || typeof payload.eventType !== 'string' || !payload.eventType) {
			return { ok: false, message: 'An Azure DevOps notification names its event in `id` and `eventType`; this one does not.' };
		}
		const event = payload.eventType;
		const delivery = { id: payload.id.toLowerCase(), event: event.slice(0, 100), action: null };
		const effect = (): WebhookEffect => {
			if (event.startsWith('workitem.')) {
				const project = payload.resourceContainers?.project?.id;
				// An update's resource is the update (its workItemId); the others' is the work item.
				const item = payload.resource?.workItemId ?? payload.resource?.id;
				if (typeof project !== 'string' || !project || (typeof item !== 'number' && typeof item !== 'string')) return { kind: 'ignored', reason: 'it names no project or work item' };
				if (event === 'workitem.deleted') return { kind: 'ticket-removed', project: project.toLowerCase(), ticket: String(item), what: `work item #${item} deleted` };
				const what = workItems[event];
				if (!what) return { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
				return { kind: 'update-tickets', projects: [project.toLowerCase()], what: `${what} (#${item})` };
			}
			const what = updating[event] ?? (event.startsWith('git.pullrequest.') ? 'a pull request change' : undefined);
			if (!what) return { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			const repository = payload.resource?.repository?.id ?? payload.resource?.pullRequest?.repository?.id;
			if (typeof repository !== 'string' || !repository) return { kind: 'ignored', reason: 'it names no repository' };
			return { kind: 'update', repositories: [repository.toLowerCase()], what };
		};
		return { ok: true, delivery, effect: effect() };
	},

	firstDelivery: 'Azure DevOps sends nothing until something happens: the service hook’s “Test” button sends a sample notification now, and it appears here (its sample repository is none of yours, so it updates nothing).',

	instructions:
		'On Azure DevOps, open each project’s Project settings → Service hooks → + (Create subscription) → Web Hooks, and add one subscription per event: Code pushed, Pull request created, Pull request updated, Pull request merge attempted and Pull request commented on (any repository, or one); with work items on, also Work item created, Work item updated and Work item deleted. Paste the URL below; under Basic authentication give any user name and the secret below as the password; keep Resource details to send “All”, Messages and Detailed messages as they are, and the resource version 1.0.'
};
