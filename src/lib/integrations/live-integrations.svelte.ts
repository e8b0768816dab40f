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

/**
 * Items of one integration (its repositories, its ticket projects) as the page loaded them, kept
 * current by their events: the latest event about each is kept across page loads and shown unless
 * the load read a later revision of the row (a load that raced with an event neither hides it nor
 * is overwritten by an older one). Items found since the load (a discovery) join in `order`.
 */
function createLiveItems<T extends { id: string; integrationId: string; revision: number }>(
	loaded: () => T[],
	integrationId: () => string,
	/** Listens to the items' event on the socket; returns how to stop. */
	subscribe: (socket: ReturnType<typeof realtimeSocket>, onItem: (item: T) => void) => () => void,
	order: (a: T, b: T) => number
) {
	let latest = $state<Record<string, T>>({});
	const items = $derived.by(() => {
		const rows = loaded();
		const known = Object.fromEntries(rows.map((r) => [r.id, true]));
		const found = Object.values(latest).filter((r) => !known[r.id] && r.integrationId === integrationId());
		const all = [...rows.map((r) => (latest[r.id] && latest[r.id]!.revision >= r.revision ? latest[r.id]! : r)), ...found];
		return found.length > 0 ? all.sort(order) : all;
	});
	$effect(() => {
		const socket = realtimeSocket();
		const onItem = (item: T) => {
			if (item.integrationId !== integrationId()) return;
			const known = latest[item.id];
			if (!known || item.revision >= known.revision) latest = { ...latest, [item.id]: item };
		};
		return subscribe(socket, onItem);
	});
	return {
		get items() {
			return items;
		}
	};
}

export function createLiveRepos(loaded: () => RepoSummary[], integrationId: () => string) {
	const live = createLiveItems(
		loaded,
		integrationId,
		(socket, onRepo) => {
			socket.on('repo.updated', onRepo);
			return () => socket.off('repo.updated', onRepo);
		},
		(a, b) => a.name.localeCompare(b.name)
	);
	return {
		get repos() {
			return live.items;
		}
	};
}

export function createLiveTicketProjects(loaded: () => TicketProjectSummary[], integrationId: () => string) {
	const live = createLiveItems(
		loaded,
		integrationId,
		(socket, onProject) => {
			socket.on('ticketProject.updated', onProject);
			return () => socket.off('ticketProject.updated', onProject);
		},
		(a, b) => a.key.localeCompare(b.key)
	);
	return {
		get projects() {
			return live.items;
		}
	};
}

/** What a list page's row takes from a live event about it: where its data stands. */
type LiveFields = Pick<RepoSummary, 'imported' | 'dataStatus' | 'statusDetail' | 'lastUpdatedAt' | 'progressDone' | 'progressTotal' | 'revision'>;

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
	// The latest event about each row, kept across loads; shown unless the load read a later revision.
	let latest = $state<Record<string, E>>({});
	const rows = $derived(
		loaded().map((row) => {
			const e = latest[row.id];
			if (!e || e.revision < row.revision) return row;
			return { ...row, imported: e.imported, dataStatus: e.dataStatus, statusDetail: e.statusDetail, lastUpdatedAt: e.lastUpdatedAt, progressDone: e.progressDone, progressTotal: e.progressTotal, revision: e.revision, ...counts(e, row) };
		})
	);
	$effect(() => {
		const socket = realtimeSocket();
		const onEvent = (e: E) => {
			const known = latest[e.id];
			if (loaded().some((row) => row.id === e.id) && (!known || e.revision >= known.revision)) latest = { ...latest, [e.id]: e };
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
