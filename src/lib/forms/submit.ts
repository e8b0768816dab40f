// How enhanced forms submit: the page updates with the action's answer but keeps what was typed
// (a refused form shows the person's input with the reasons); `busy` drives "Saving…" buttons.
import type { SubmitFunction } from '$app/forms';

export function keepingValues(busy?: (submitting: boolean) => void): SubmitFunction {
	return () => {
		busy?.(true);
		return async ({ update }) => {
			await update({ reset: false });
			busy?.(false);
		};
	};
}
