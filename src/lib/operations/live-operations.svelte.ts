// Operations of one scope as a page shows them: what the page load read from Postgres, overlaid
// with newer events from Socket.IO. After a reconnect the page reloads, so nothing missed stays lost.
import { invalidateAll } from '$app/navigation';
import { realtimeSocket } from '#lib/realtime/socket.ts';
import { applyProgress, type Operation, type OperationProgress } from './operation.ts';

export interface LiveOperationsOptions {
	/** Which operations this page shows: one scope, or a test on the scope. */
	scope: string | ((scope: string) => boolean);
	/** Called once per operation that ends while this page watches it. */
	onFinished?: (operation: Operation) => void;
}

export function createLiveOperations(loaded: () => Operation[], options: LiveOperationsOptions) {
	let started = $state<Operation[]>([]);
	const newer = $state<Record<string, OperationProgress>>({});
	let connected = $state(false);

	const inScope = (scope: string) => (typeof options.scope === 'string' ? scope === options.scope : options.scope(scope));

	const operations = $derived.by(() => {
		const fromLoad = loaded();
		const all = [...started.filter((op) => !fromLoad.some((loadedOp) => loadedOp.id === op.id)), ...fromLoad];
		return all
			.map((op) => {
				const event = newer[op.id];
				return event ? applyProgress(op, event) : op;
			})
			.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
	});

	function remember(event: OperationProgress) {
		const held = newer[event.id];
		if (!held || event.revision > held.revision) newer[event.id] = event;
	}

	$effect(() => {
		const socket = realtimeSocket();
		let wasConnected = socket.connected;
		connected = socket.connected;
		const onConnect = () => {
			connected = true;
			// Events sent while we were away are lost: read the truth again.
			if (wasConnected === false) void invalidateAll();
			wasConnected = true;
		};
		const onDisconnect = () => {
			connected = false;
			wasConnected = false;
		};
		const onStarted = (operation: Operation) => {
			if (!inScope(operation.scope)) return;
			if (!started.some((op) => op.id === operation.id)) started = [operation, ...started];
		};
		const onProgressed = (progress: OperationProgress) => {
			if (inScope(progress.scope)) remember(progress);
		};
		const onFinished = (operation: Operation) => {
			if (!inScope(operation.scope)) return;
			const shown = operations.find((op) => op.id === operation.id);
			const alreadyFinished = shown !== undefined && shown.state !== 'running';
			onStarted(operation);
			remember(operation);
			if (!alreadyFinished) options.onFinished?.(operation);
		};
		socket.on('connect', onConnect);
		socket.on('disconnect', onDisconnect);
		socket.on('operation.started', onStarted);
		socket.on('operation.progressed', onProgressed);
		socket.on('operation.finished', onFinished);
		return () => {
			socket.off('connect', onConnect);
			socket.off('disconnect', onDisconnect);
			socket.off('operation.started', onStarted);
			socket.off('operation.progressed', onProgressed);
			socket.off('operation.finished', onFinished);
		};
	});

	return {
		get operations() {
			return operations;
		},
		get connected() {
			return connected;
		}
	};
}
