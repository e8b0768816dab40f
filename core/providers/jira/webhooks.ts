// Jira's webhooks (Cloud, and Data Center 10 and later): signed with the secret (X-Hub-Signature,
// the HMAC-SHA256 of the raw body), identified by X-Atlassian-Webhook-Identifier, which a retry of
// the same delivery repeats (X-Atlassian-Webhook-Retry counts the retries). A ticket created or
// updated → an incremental update of its project; a deleted ticket is removed at once.
import { createHash } from 'node:crypto';
import type { ProviderWebhooks, WebhookEffect } from '../provider.ts';
import { hubSignatureValid } from '../shared/hub-signature.ts';

const updating: Record<string, string> = {
	'jira:issue_created': 'a new ticket',
	'jira:issue_updated': 'a changed ticket',
	comment_created: 'a comment on a ticket',
	comment_updated: 'an edited comment on a ticket',
	worklog_updated: 'work logged on a ticket'
};

interface Payload {
	webhookEvent?: unknown;
	timestamp?: unknown;
	issue_event_type_name?: unknown;
	issue?: { id?: unknown; key?: unknown; fields?: { project?: { id?: unknown; key?: unknown } } };
}

const idOf = (value: unknown): string | null => (typeof value === 'string' && value ? value : typeof value === 'number' ? String(value) : null);

export const jiraWebhooks: ProviderWebhooks = {
	async verify(secret, body, headers) {
		return hubSignatureValid(secret, body, headers.get('x-hub-signature'));
	},

	read(body, headers) {
		let payload: Payload;
		try {
			payload = JSON.parse(body) as Payload;
		} catch {
			return { ok: false, message: 'The body is not JSON: this is not a Jira webhook delivery.' };
		}
		const event = typeof payload.webhookEvent === 'string' ? payload.webhookEvent : null;
		if (!event) return { ok: false, message: 'A Jira delivery names its event in webhookEvent; this one does not.' };
		// Older servers send no identifier: the delivery's own content names it then (a retry repeats it).
		const id = headers.get('x-atlassian-webhook-identifier') ?? `body-${createHash('sha256').update(body).digest('hex').slice(0, 40)}`;
		const [source, action] = event.includes(':') ? (event.split(':', 2) as [string, string]) : ['jira', event];
		const delivery = { id: id.slice(0, 100), event: source.slice(0, 100), action: (typeof payload.issue_event_type_name === 'string' ? payload.issue_event_type_name : action).slice(0, 100) };
		const effect = (): WebhookEffect => {
			const project = idOf(payload.issue?.fields?.project?.id);
			const ticket = idOf(payload.issue?.id);
			const key = typeof payload.issue?.key === 'string' ? payload.issue.key : ticket;
			if (event === 'jira:issue_deleted') {
				if (!project || !ticket) return { kind: 'ignored', reason: 'it names no ticket or project' };
				return { kind: 'ticket-removed', project, ticket, what: `ticket ${key} deleted` };
			}
			const what = updating[event];
			if (!what) return { kind: 'ignored', reason: `${event} events bring nothing Tributary reads.` };
			if (!project) return { kind: 'ignored', reason: 'it names no project' };
			return { kind: 'update-tickets', projects: [project], what: `${what} (${key})` };
		};
		return { ok: true, delivery, effect: effect() };
	},

	firstDelivery: 'Jira sends nothing until a ticket changes: create or edit a ticket in an imported project, and the delivery appears here.',

	instructions:
		'In Jira, as an administrator: Settings → System → WebHooks → Create a WebHook. Paste the URL below, and the secret below as the “Secret”; under Events choose Issue: created, updated and deleted (and Comment: created and updated, if comments should refresh a ticket). Leave the JQL filter empty, or limit it to the projects you import.'
};
