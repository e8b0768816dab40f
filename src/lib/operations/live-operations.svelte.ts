// Operations of one scope as a page shows them: what the page load read from Postgres, overlaid
// with newer events from Socket.IO. After a reconnect the page reloads, so nothing missed stays
// lost, and asks where the operations it showed running are now. An operation the page has seen
// running is announced once when it is seen finished, however the page learnt of it: an event,
// a reload, or that question after a reconnect.
import { untrack } from 'svelte';
import { invalidateAll } from '$app/navigation';
import { realtimeSocket } from '#lib/realtime/socket.ts';
import { applyProgress, type Operation, type OperationProgress } from '#core/domain/operations/operation.ts';

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

	// Plain sets on purpose: bookkeeping the page never shows, so nothing should react to it.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	const seenRunning = new Set<string>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	const announced = new Set<string>();
	$effect(() => {
		for (const operation of operations) {
			if (operation.state === 'running') {
				seenRunning.add(operation.id);
			} else if (seenRunning.has(operation.id) && !announced.has(operation.id)) {
				announced.add(operation.id);
				untrack(() => options.onFinished?.(operation));
			}
		}
	});

	$effect(() => {
		const socket = realtimeSocket();
		let wasConnected = socket.connected;
		connected = socket.connected;
		const onConnect = () => {
			connected = true;
			if (wasConnected === false) {
				// Events sent while we were away are lost: read the truth again, and ask after the
				// operations we showed running (a page may load only running ones).
				const running = operations.filter((op) => op.state === 'running').map((op) => op.id);
				void invalidateAll();
				if (running.length > 0) {
					socket.emit('operations.requested', running, (now) => {
						for (const operation of now) if (inScope(operation.scope)) track(operation);
					});
				}
			}
			wasConnected = true;
		};
		const onDisconnect = () => {
			connected = false;
			wasConnected = false;
		};
		/** Shows an operation the load may not list, at the state of `operation` or newer. */
		const track = (operation: Operation) => {
			if (!started.some((op) => op.id === operation.id)) started = [operation, ...started];
			remember(operation);
		};
		const onStarted = (operation: Operation) => {
			if (inScope(operation.scope)) track(operation);
		};
		const onProgressed = (progress: OperationProgress) => {
			if (inScope(progress.scope)) remember(progress);
		};
		const onFinished = (operation: Operation) => {
			if (!inScope(operation.scope)) return;
			// Its ending is news unless the page already shows it ended (say, after a reload).
			const shown = operations.find((op) => op.id === operation.id);
			if (shown === undefined || shown.state === 'running') seenRunning.add(operation.id);
			track(operation);
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
