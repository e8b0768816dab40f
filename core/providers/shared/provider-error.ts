// A failure talking to a provider, already put in words: its category (the connection test and
// the integration's status show the sentence; code reads the category), whether trying again can
// help, and for a spent quota when it resets. Each provider names its own categories.

export class ProviderError<Category extends string> extends Error {
	readonly category: Category;
	readonly permanent: boolean;
	readonly resetAt: Date | undefined;
	constructor(category: Category, message: string, resetAt?: Date) {
		super(message);
		this.category = category;
		// A rate limit, a server error or an unreachable server can pass; the rest needs a person.
		this.permanent = !['rate-limited', 'server-error', 'unreachable'].includes(category);
		this.resetAt = resetAt;
	}
}
