// Integrations as a page shows them: the page load's rows, kept current by Socket.IO events.
// A new page load (navigation, filter, reconnect) starts again from what Postgres says.
import { invalidateAll } from '$app/navigation';
import { realtimeSocket } from '#lib/realtime/socket.ts';
import type { IntegrationSummary, RepoSummary } from '#core/domain/integrations/integration.ts';
import type { TicketProjectSummary } from '#core/domain/tickets/ticket-project.ts';

export function createLiveIntegrations(loaded: () => IntegrationSummary[]) {
	// The latest event about each integration, kept across page loads: an event that raced with a
	// load (it arrived while the load was on its way, or before the row was on the page) still
	// counts once the load lands, unless the load saw a later revision.
	let latest = $state<Record<string, IntegrationSummary>>({});
	let removed = $state<string[]>([]);

	// A fresh load is the page's new starting point. (Read from the load itself, not a copy made by
	// an effect: effects do not run on the server, and the page must render its rows there too.)
	$effect.pre(() => {
		loaded();
		removed = [];
	});

	const integrations = $derived(
		loaded().filter((i) => !removed.includes(i.id)).map((i) => {
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

export function createLiveTicketProjects(loaded: () => TicketProjectSummary[], integrationId: () => string) {
	let newer = $state<Record<string, TicketProjectSummary>>({});
	$effect.pre(() => {
		loaded();
		newer = {};
	});
	// The projects the page loaded, as they are now, and those a discovery found since, in key order.
	const projects = $derived.by(() => {
		const known = Object.fromEntries(loaded().map((p) => [p.id, true]));
		const found = Object.values(newer).filter((p) => !known[p.id]);
		const all = [...loaded().map((p) => newer[p.id] ?? p), ...found];
		return found.length > 0 ? all.sort((a, b) => a.key.localeCompare(b.key)) : all;
	});
	$effect(() => {
		const socket = realtimeSocket();
		const onProject = (project: TicketProjectSummary) => {
			if (project.integrationId === integrationId()) newer = { ...newer, [project.id]: project };
		};
		socket.on('ticketProject.updated', onProject);
		return () => socket.off('ticketProject.updated', onProject);
	});
	return {
		get projects() {
			return projects;
		}
	};
}

/** What a list page's row takes from a live event about it: where its data stands. */
type LiveFields = Pick<RepoSummary, 'imported' | 'dataStatus' | 'statusDetail' | 'lastUpdatedAt' | 'progressDone' | 'progressTotal'>;

/**
 * The rows of a list page (Repos, Ticket projects), their status, progress and counts kept current
 * by events; a row that moves to the other tab stays until the next load, showing where it is.
 */
function createLiveRows<R extends { id: string } & LiveFields, E extends { id: string } & LiveFields>(
	loaded: () => R[],
	/** Listens to the rows' event on the socket; returns how to stop. */
	subscribe: (socket: ReturnType<typeof realtimeSocket>, onEvent: (event: E) => void) => () => void,
	counts: (event: E, row: R) => Partial<R>
) {
	let newer = $state<Record<string, E>>({});
	$effect.pre(() => {
		loaded();
		newer = {};
	});
	const rows = $derived(
		loaded().map((row) => {
			const e = newer[row.id];
			if (!e) return row;
			return { ...row, imported: e.imported, dataStatus: e.dataStatus, statusDetail: e.statusDetail, lastUpdatedAt: e.lastUpdatedAt, progressDone: e.progressDone, progressTotal: e.progressTotal, ...counts(e, row) };
		})
	);
	$effect(() => {
		const socket = realtimeSocket();
		const onEvent = (e: E) => {
			if (loaded().some((row) => row.id === e.id)) newer = { ...newer, [e.id]: e };
		};
		return subscribe(socket, onEvent);
	});
	return {
		get rows() {
			return rows;
		}
	};
}

export function createLiveRepoRows<R extends { id: string; commits: number; pullRequests: number | null } & LiveFields>(loaded: () => R[]) {
	return createLiveRows<R, RepoSummary>(
		loaded,
		(socket, onRepo) => {
			socket.on('repo.updated', onRepo);
			return () => socket.off('repo.updated', onRepo);
		},
		(repo, row) => ({ commits: repo.commits, pullRequests: row.pullRequests === null ? null : (repo.pullRequests ?? row.pullRequests) }) as Partial<R>
	);
}

export function createLiveTicketProjectRows<R extends { id: string; tickets: number } & LiveFields>(loaded: () => R[]) {
	return createLiveRows<R, TicketProjectSummary>(
		loaded,
		(socket, onProject) => {
			socket.on('ticketProject.updated', onProject);
			return () => socket.off('ticketProject.updated', onProject);
		},
		(project) => ({ tickets: project.tickets }) as Partial<R>
	);
}
