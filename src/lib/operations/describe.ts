// Banner sentences for finished operations, by kind.
import type { Operation } from './operation.ts';

const names: Record<string, string> = {
	'integration.update': 'Update',
	'integration.test': 'Connection test',
	'integration.delete': 'Deletion',
	'integrations.update-all': 'Update of all repositories',
	'integrations.metrics': 'Background metrics update',
	'integrations.deployment-source': 'Deployment source change',
	'system.self-check': 'Self-check'
};

export function operationName(kind: string): string {
	return names[kind] ?? kind;
}

export function describeOperation(operation: Operation, subject?: string): { title: string; message: string } {
	const name = operationName(operation.kind);
	const of = subject ? ` of “${subject}”` : '';
	const result = operation.result ?? {};
	if (operation.state === 'succeeded') {
		switch (operation.kind) {
			case 'integration.update':
				return { title: `${name}${of} finished`, message: `${result.repos ?? 0} repositories up to date: ${Number(result.commits ?? 0).toLocaleString('en')} commits, ${Number(result.tags ?? 0).toLocaleString('en')} tags.` };
			case 'integration.test':
				return { title: `Connection${of} works`, message: `Reached all ${result.reached ?? 0} repositories.` };
			case 'integration.delete':
				return { title: `“${String(result.name ?? subject ?? 'Integration')}” deleted`, message: 'All of its data is gone.' };
			case 'integrations.deployment-source':
				return { title: `${name} finished`, message: `Deployments from git tags are ${result.gitTags ? 'on' : 'off'} for ${result.integrations ?? 0} integrations.` };
			default:
				return { title: `${name}${of} finished`, message: result.integrations !== undefined ? `${result.integrations} integrations done.` : 'Done.' };
		}
	}
	if (operation.state === 'cancelled') return { title: `${name}${of} cancelled`, message: 'It stopped before it finished.' };
	return { title: `${name}${of} failed`, message: operation.error ?? 'No reason was recorded.' };
}
