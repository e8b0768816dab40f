// The connection test's report, filled step by step: each step reached or failed (its sentence
// added to the report's message), and told as it ends so the operation's bar moves live. Every
// hosted provider's test is a list of such steps.
import type { ConnectionReport, ConnectionStep } from '../provider.ts';

export type StepOutcome = { ok: true } | { ok: false; message: string };
export type Step = (item: string, outcome: StepOutcome) => Promise<void>;

/** A report to fill, and the step function that fills it and tells `onStep`. */
export function connectionSteps<Report extends ConnectionReport>(report: Report, onStep: (step: ConnectionStep) => Promise<void> | void): Step {
	return async (item, outcome) => {
		if (outcome.ok) report.reached++;
		else {
			report.failed++;
			report.ok = false;
			report.message = report.message ? `${report.message} ${outcome.message}` : outcome.message;
		}
		await onStep({ item, ok: outcome.ok, message: outcome.ok ? null : outcome.message });
	};
}

/** A report before any step. */
export const emptyReport = (): ConnectionReport => ({ ok: true, expiresAt: null, message: null, reached: 0, failed: 0 });
