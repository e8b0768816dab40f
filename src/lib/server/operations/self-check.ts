// Starting a self-check from the System page.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import {
	selfCheckDefaults,
	selfCheckKind,
	selfCheckStages,
	type SelfCheckInput
} from '../../../../workflows/self-check/contract.ts';
import { startOperation } from './start.ts';

export const systemScope = 'system';

export function startSelfCheck(user: SignedInUser, pace: { samples: number; intervalMs: number } = selfCheckDefaults): Promise<Operation> {
	return startOperation(user, {
		kind: selfCheckKind,
		scope: systemScope,
		stages: selfCheckStages(pace.samples),
		input: (operationId): SelfCheckInput => ({ version: 1, operationId, ...pace })
	});
}
