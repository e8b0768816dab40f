// Integrations as a page shows them: the page load's rows, kept current by Socket.IO events.
// A new page load (navigation, filter, reconnect) starts again from what Postgres says.
import { invalidateAll } from '$app/navigation';
import { realtimeSocket } from '#lib/realtime/socket.ts';
import type { IntegrationSummary, RepoSummary } from '#core/domain/integrations/integration.ts';

export function createLiveIntegrations(loaded: () => IntegrationSummary[]) {
	// The latest event about each integration, kept across page loads: an event that raced with a
	// load (it arrived while the load was on its way, or before the row was on the page) still
	// counts once the load lands, unless the load saw a later revision.
	let latest = $state<Record<string, IntegrationSummary>>({});
	let removed = $state<string[]>([]);
	let base = $state<IntegrationSummary[]>([]);

	// A fresh load is the page's new starting point.
	$effect.pre(() => {
		base = loaded();
		removed = [];
	});

	const integrations = $derived(
		base.filter((i) => !removed.includes(i.id)).map((i) => {
			const event = latest[i.id];
			return event && event.revision >= i.revision ? event : i;
		})
	);

	$effect(() => {
		const socket = realtimeSocket();
		let refresh: ReturnType<typeof setTimeout> | undefined;
		const reloadSoon = () => {
			clearTimeout(refresh);
			refresh = setTimeout(() => void invalidateAll(), 300);
		};
		const onUpdated = (integration: IntegrationSummary) => {
			const known = latest[integration.id];
			if (!known || integration.revision >= known.revision) latest = { ...latest, [integration.id]: integration };
		};
		const onRemoved = ({ id }: { id: string }) => {
			removed = [...removed, id];
			reloadSoon();
		};
		socket.on('integration.updated', onUpdated);
		socket.on('integration.added', reloadSoon);
		socket.on('integration.removed', onRemoved);
		return () => {
			clearTimeout(refresh);
			socket.off('integration.updated', onUpdated);
			socket.off('integration.added', reloadSoon);
			socket.off('integration.removed', onRemoved);
		};
	});

	return {
		get integrations() {
			return integrations;
		}
	};
}

export function createLiveRepos(loaded: () => RepoSummary[], integrationId: () => string) {
	let newer = $state<Record<string, RepoSummary>>({});
	$effect.pre(() => {
		loaded();
		newer = {};
	});
	// Repositories the page loaded, as they are now, and those found since (a hosted provider's
	// discovery adds them while the page is open), in name order.
	const repos = $derived.by(() => {
		const known = Object.fromEntries(loaded().map((r) => [r.id, true]));
		const found = Object.values(newer).filter((r) => !known[r.id]);
		const all = [...loaded().map((r) => newer[r.id] ?? r), ...found];
		return found.length > 0 ? all.sort((a, b) => a.name.localeCompare(b.name)) : all;
	});
	$effect(() => {
		const socket = realtimeSocket();
		const onRepo = (repo: RepoSummary) => {
			if (repo.integrationId === integrationId()) newer = { ...newer, [repo.id]: repo };
		};
		socket.on('repo.updated', onRepo);
		return () => socket.off('repo.updated', onRepo);
	});
	return {
		get repos() {
			return repos;
		}
	};
}
