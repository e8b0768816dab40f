// How enhanced forms submit: the page updates with the action's answer but keeps what was typed
// (a refused form shows the person's input with the reasons); `busy` drives "Saving…" buttons.
import { invalidateAll } from '$app/navigation';
import type { SubmitFunction } from '$app/forms';

export function keepingValues(
	busy?: (submitting: boolean) => void,
	options: {
		/** A refusal after which the page's data must be read again (someone else saved meanwhile). */
		reloadAfter?: (data: Record<string, unknown> | undefined) => boolean;
	} = {}
): SubmitFunction {
	return () => {
		busy?.(true);
		return async ({ result, update }) => {
			await update({ reset: false });
			if (result.type === 'failure' && options.reloadAfter?.(result.data)) await invalidateAll();
			busy?.(false);
		};
	};
}
