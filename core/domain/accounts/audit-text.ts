// Audit events as sentences.
import { authMethodLabelOf, authMethodLabels, providerKinds, serviceNameOf, serviceNames, type AuthMethod, type ProviderKind, type Service } from '../integrations/providers.ts';
export interface AuditLike {
	action: string;
	subjectLabel: string;
	before: Record<string, unknown> | null;
	after: Record<string, unknown> | null;
}

/** The provider kind an event recorded, when it did (events before it was recorded name none). */
function kindOf(values: Record<string, unknown> | null): ProviderKind | null {
	const kind = values?.kind;
	return typeof kind === 'string' && (providerKinds as readonly string[]).includes(kind) ? (kind as ProviderKind) : null;
}

export function describeAudit(event: AuditLike): string {
	switch (event.action) {
		case 'user.created':
			return `Added ${event.subjectLabel} with the “${String(event.after?.level)}” level`;
		case 'user.level_changed':
			return `Changed ${event.subjectLabel}: “${String(event.before?.level)}” → “${String(event.after?.level)}”`;
		case 'user.deactivated':
			return `Deactivated ${event.subjectLabel}`;
		case 'integration.created': {
			// Hosted kinds name no repositories when added: their first update discovers them.
			const repositories = (event.after?.repositories as string[] | undefined)?.length ?? 0;
			const auth = String(event.after?.auth);
			const kind = kindOf(event.after);
			const credentials = kind && Object.hasOwn(authMethodLabels, auth) ? authMethodLabelOf(kind, auth as AuthMethod) : (authMethodLabels[auth as AuthMethod] ?? auth);
			return `Added ${event.subjectLabel} (${repositories > 0 ? `${repositories} ${repositories === 1 ? 'repository' : 'repositories'}, ` : ''}${credentials})`;
		}
		case 'integration.edited':
			return `Edited ${event.subjectLabel}: ${Object.keys(event.after ?? {}).join(', ')}`;
		case 'integration.webhook_secret_rotated':
			return `Made a new webhook secret for ${event.subjectLabel}`;
		case 'integration.services_changed': {
			const kind = kindOf(event.after);
			const name = (service: string) => (kind && Object.hasOwn(serviceNames, service) ? serviceNameOf(kind, service as Service) : (serviceNames[service as Service] ?? service));
			return `Changed the services of ${event.subjectLabel}: ${((event.after?.services as string[] | undefined) ?? []).map(name).join(', ') || 'none'}`;
		}
		case 'integration.repos_settings_changed':
			return `Changed ${event.subjectLabel}'s repository settings: ${Object.entries(event.after ?? {})
				.map(([key, value]) => `${key} ${value ? 'on' : 'off'}`)
				.join(', ')}`;
		case 'integration.repository_imported':
			return `${event.after?.imported ? 'Imported' : 'Stopped importing'} ${String(event.after?.repository)} of ${event.subjectLabel}`;
		case 'integration.tickets_settings_changed':
			return `Turned auto-import of new ticket projects ${event.after?.autoImportTicketProjects ? 'on' : 'off'} for ${event.subjectLabel}`;
		case 'integration.ticket_project_imported': {
			const deleted = Number(event.after?.ticketsDeleted ?? 0);
			return event.after?.imported
				? `Imported the ticket project ${String(event.after?.project)} of ${event.subjectLabel}`
				: `Removed the ticket project ${String(event.after?.project)} of ${event.subjectLabel}${deleted > 0 ? ` (${deleted.toLocaleString('en')} tickets deleted)` : ''}`;
		}
		case 'integration.ticket_project_configured':
			return event.after?.defaults
				? `Put the ticket project ${String(event.after?.project)} of ${event.subjectLabel} back to its default settings`
				: `Changed the settings of the ticket project ${String(event.after?.project)} of ${event.subjectLabel}`;
		case 'integration.deletion_started':
			return `Deleted ${event.subjectLabel} (the deletion started)`;
		case 'integrations.update_all_started':
			return 'Updated all integrations';
		case 'integrations.metrics_started':
			return 'Recomputed the background metrics of all integrations';
		case 'integrations.deployment_source_changed': {
			const which = event.after?.integrations;
			const names = Array.isArray(which) ? which.join(', ') : 'all integrations';
			return `Turned deployments from git tags ${event.after?.gitTags ? 'on' : 'off'} for ${names}`;
		}
		case 'operation.cancelled':
			return `Cancelled the ${event.subjectLabel.charAt(0).toLowerCase()}${event.subjectLabel.slice(1)}`;
		default:
			return `${event.action} on ${event.subjectLabel}`;
	}
}
