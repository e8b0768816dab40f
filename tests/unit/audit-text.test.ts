// The Changes list reads audit events as sentences in the product's words, never its keys.
import { describe, expect, it } from 'vitest';
import { describeAudit } from '#core/domain/accounts/audit-text.ts';

const event = (action: string, after: Record<string, unknown>) => ({ action, subjectLabel: 'Acme GitHub', before: null, after });

describe('audit sentences', () => {
	it('name the credentials, and the repositories only where some were entered', () => {
		expect(describeAudit(event('integration.created', { kind: 'github', repositories: [], auth: 'personal-access-token' }))).toBe('Added Acme GitHub (Personal access token)');
		expect(describeAudit(event('integration.created', { kind: 'generic-git', repositories: ['a', 'b'], auth: 'https-token' }))).toBe('Added Acme GitHub (2 repositories, HTTPS username and token)');
		expect(describeAudit(event('integration.created', { kind: 'generic-git', repositories: ['a'], auth: 'none' }))).toMatch(/^Added Acme GitHub \(1 repository, /);
	});

	it('name services in words', () => {
		expect(describeAudit(event('integration.services_changed', { services: ['repos', 'pull-requests'] }))).toBe('Changed the services of Acme GitHub: Repos, Pull requests');
		expect(describeAudit(event('integration.services_changed', { services: [] }))).toBe('Changed the services of Acme GitHub: none');
	});
});

describe('audit sentences in the provider’s words', () => {
	it('names the sign-in and the services as the provider calls them', () => {
		expect(describeAudit({ action: 'integration.created', subjectLabel: 'BB', before: null, after: { kind: 'bitbucket-data-center', auth: 'personal-access-token', repositories: [] } })).toBe('Added BB (HTTP access token)');
		expect(describeAudit({ action: 'integration.created', subjectLabel: 'GH', before: null, after: { kind: 'github', auth: 'personal-access-token', repositories: [] } })).toBe('Added GH (Personal access token)');
		expect(describeAudit({ action: 'integration.services_changed', subjectLabel: 'GL', before: null, after: { kind: 'gitlab', services: ['repos', 'pull-requests'] } })).toBe('Changed the services of GL: Repos, Merge requests');
		// Events recorded before the kind was: the general words.
		expect(describeAudit({ action: 'integration.services_changed', subjectLabel: 'Old', before: null, after: { services: ['pull-requests'] } })).toBe('Changed the services of Old: Pull requests');
	});
});
