// An operation's timeline events in words (the operation's page).
import type { OperationEvent } from '#core/domain/operations/operation.ts';
import { operationStateLabels } from './states.ts';

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A step's name as the worker calls it ("ingestRepo") in words ("ingest repo"). */
const stepName = (step: unknown) => (text(step) ?? 'a step').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

export function timelineText(event: OperationEvent): { title: string; detail: string | null } {
	const d = event.detail;
	switch (event.kind) {
		case 'started':
			return { title: 'Started', detail: text(d.by) ? `by ${text(d.by)}` : 'by Tributary' };
		case 'stage-finished':
			return { title: `${text(d.label) ?? 'A stage'} done`, detail: typeof d.total === 'number' ? `${d.total.toLocaleString('en')} in all` : null };
		case 'retried':
			return {
				title: `Tried ${stepName(d.step)} again (attempt ${String(d.attempt)})`,
				detail: [text(d.reason) && `The attempt before failed: ${text(d.reason)}`, d.resumed ? 'It carried on from its last checkpoint.' : null].filter(Boolean).join(' ') || null
			};
		case 'restarted':
			return {
				title: `Survived a lost worker: ${stepName(d.step)} restarted (attempt ${String(d.attempt)})`,
				detail:
					[
						text(d.previousWorker) && `The worker ${text(d.previousWorker)} stopped answering${text(d.reason) ? ` (${text(d.reason)})` : ''}; ${text(d.worker) ?? 'another worker'} took over.`,
						d.resumed ? 'It carried on from its last checkpoint.' : null
					]
						.filter(Boolean)
						.join(' ') || null
			};
		case 'cancel-requested':
			return { title: 'Cancellation requested', detail: text(d.by) ? `by ${text(d.by)}` : null };
		case 'finished': {
			const state = text(d.state);
			const label = state && state in operationStateLabels ? operationStateLabels[state as keyof typeof operationStateLabels].label : 'Ended';
			return { title: label, detail: text(d.error) };
		}
		default:
			return { title: event.kind, detail: null };
	}
}
