// See https://svelte.dev/docs/kit/types#app.d.ts
import type { SignedInUser } from '#core/domain/accounts/user.ts';

declare global {
	namespace App {
		interface Error {
			message: string;
		}
		interface Locals {
			user: SignedInUser | null;
			sessionId: string | null;
		}
	}
}

export {};
