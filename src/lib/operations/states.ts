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

/** "1,234 items/s · about 2 min left": an operation's pace as people read it, or '' when unknown. */
export function formatPace(pace: { perSecond: number; remainingSeconds: number } | null): string {
	if (!pace) return '';
	const rate = pace.perSecond >= 10 ? Math.round(pace.perSecond).toLocaleString('en') : pace.perSecond.toFixed(1);
	const left = pace.remainingSeconds;
	const eta = left < 1 ? 'almost done' : left < 60 ? `about ${Math.ceil(left)} s left` : left < 3_600 ? `about ${Math.ceil(left / 60)} min left` : `about ${(left / 3_600).toFixed(1)} h left`;
	return `${rate} items/s · ${eta}`;
}

/** What an operation acts on, in words: an integration (by the name it had), all of them, the system. */
export function subjectText(operation: { scope: string; subjectLabel: string | null }): string {
	if (operation.scope === 'integrations') return 'All integrations';
	if (operation.scope === 'system') return 'System';
	if (operation.scope.startsWith('integration:')) return operation.subjectLabel ?? 'An integration';
	return operation.scope;
}
