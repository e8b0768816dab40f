// One sentence for repositories held by an integration being deleted, wherever it is said: the
// add and edit forms (per URL) and a Refresh's result (per integration, counted).

export function heldByDeletionText(what: string, many: boolean, integration: string, cooldownHours: number): string {
	return `${what} ${many ? 'belong' : 'belongs'} to “${integration}”, which is being deleted; ${many ? 'they' : 'it'} can be added again ${cooldownHours} hours after that finishes.`;
}
