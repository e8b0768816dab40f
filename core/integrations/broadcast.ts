// Integration events reach the organisation's viewers (level "view" and up) on every web process.
import type { IntegrationSummary, RepoSummary } from '#core/domain/integrations/integration.ts';
import { integrationsRoom } from '#core/domain/realtime/events.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';

export function broadcastIntegration(io: RealtimeServer | undefined, integration: IntegrationSummary, event: 'added' | 'updated' = 'updated'): void {
	io?.to(integrationsRoom(integration.organizationId)).emit(event === 'added' ? 'integration.added' : 'integration.updated', integration);
}

export function broadcastRemoved(io: RealtimeServer | undefined, removed: { id: string; organizationId: string; name: string }): void {
	io?.to(integrationsRoom(removed.organizationId)).emit('integration.removed', removed);
}

export function broadcastRepo(io: RealtimeServer | undefined, repo: RepoSummary): void {
	io?.to(integrationsRoom(repo.organizationId)).emit('repo.updated', repo);
}
