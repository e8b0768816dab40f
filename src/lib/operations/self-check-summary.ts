import type { Operation } from '#core/domain/operations/operation.ts';
import type { SelfCheckResult } from '../../../workflows/self-check/contract.ts';

/** The banner sentence for a finished self-check. */
export function describeSelfCheck(operation: Operation): { title: string; message: string } {
	if (operation.state === 'succeeded') {
		const result = operation.result as SelfCheckResult | null;
		if (!result) return { title: 'Self-check passed', message: 'Every component answered.' };
		const web = result.realtime.webProcesses;
		return {
			title: 'Self-check passed',
			message:
				`Postgres answered in ${result.postgres.p50Ms} ms (median), worker ${result.worker.host} took the work, ` +
				`and ${web} web process${web === 1 ? '' : 'es'} relayed broadcasts in ${result.realtime.p50Ms} ms (median).`
		};
	}
	if (operation.state === 'cancelled') return { title: 'Self-check cancelled', message: 'It was stopped before it finished.' };
	return { title: 'Self-check failed', message: operation.error ?? 'No reason was recorded.' };
}
