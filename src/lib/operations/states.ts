import type { Tone } from '#lib/components/StatusBadge.svelte';
import type { OperationState } from '#core/domain/operations/operation.ts';

export const operationStateLabels: Record<OperationState, { tone: Tone; label: string; explanation: string }> = {
	running: { tone: 'run', label: 'Running', explanation: 'A worker is doing this now; the counts move as it goes.' },
	succeeded: { tone: 'ok', label: 'Succeeded', explanation: 'Finished without errors.' },
	failed: { tone: 'bad', label: 'Failed', explanation: 'Stopped on an error; the reason is shown with it.' },
	cancelled: { tone: 'idle', label: 'Cancelled', explanation: 'Stopped on request before it finished.' }
};

export function formatDuration(fromIso: string, toIso: string | null, now = Date.now()): string {
	const ms = (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso);
	if (ms < 1_000) return `${Math.max(0, ms)} ms`;
	const seconds = Math.round(ms / 1_000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
