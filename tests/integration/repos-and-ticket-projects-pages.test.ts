// SPEC F8 and F7.6 on a real PostgreSQL: the Repos and Ticket projects pages sort by every column
// (both ways, empty values last), search text literally, filter by integration and status, page on
// the server and never show another organisation's rows; a project's tickets find the pull
// requests that mention them; and a project's settings are checked, versioned and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { repoStatusText } from '#core/domain/integrations/integration.ts';
import type { ImportTab } from '#core/domain/integrations/import-tabs.ts';
import { providers, repoDataStatuses, type ProviderKind, type RepoDataStatus } from '#core/domain/integrations/providers.ts';
import { ticketProjectStatusText, type TicketProjectSettings, type TicketWorkflow } from '#core/domain/tickets/ticket-project.ts';
import { listReposPage, repoSortColumns, type RepoPageFilter, type RepoSortColumn } from '#core/integrations/repos-page.ts';
import { getTicketProject, listProjectTickets, listTicketProjectsPage, pullRequestsMentioning, ticketProjectSortColumns, type TicketProjectPageFilter, type TicketProjectSortColumn } from '#core/tickets/projects-page.ts';
import { createOrganization } from '../../src/lib/server/accounts/organizations.ts';
import { setRepoImported } from '../../src/lib/server/integrations/repos-settings.ts';
import { readTicketSettingsForm, saveTicketProjectSettings, setTicketProjectImported, ticketProjectRemoval } from '../../src/lib/server/integrations/ticket-projects-settings.ts';
import { createTestSystem, type TestSystem } from '../support/system.ts';

let system: TestSystem;
const db = () => system.database.db;
const pageSize = 4;

interface Org {
	id: string;
	integrations: Record<string, { id: string; name: string; kind: ProviderKind }>;
	repos: RepoFixture[];
	projects: ProjectFixture[];
}
let acme: Org;
let other: Org;
let ann: SignedInUser;
let bob: SignedInUser;
let outsider: SignedInUser;

interface RepoFixture {
	id: string;
	name: string;
	url: string;
	integration: string;
	kind: ProviderKind;
	imported: boolean;
	status: RepoDataStatus;
	lastUpdatedAt: Date | null;
	commits: number;
	pullRequests: number;
	/** In a group hidden from the Repos page. */
	hidden: boolean;
}

interface ProjectFixture {
	id: string;
	key: string;
	name: string;
	integration: string;
	imported: boolean;
	status: RepoDataStatus;
	lastUpdatedAt: Date | null;
	tickets: number;
}

/** Names a search must take literally, and mixed case, in plain ASCII (compared byte by byte). */
const repoNames = ['api', 'Web', 'billing', 'Search', '100% coverage', '100 percent', 'snake_case', 'snakeXcase', 'back\\slash', 'backslash', 'docs', 'Infra', 'mobile', 'Payments', 'queue', 'Reports'];
const projectNames = ['Core platform', 'web shop', '100% done', '100 percent', 'snake_case', 'snakeXcase', 'back\\slash', 'backslash', 'Operations', 'mobile'];

const workflow: TicketWorkflow = {
	statuses: [
		{ name: 'To Do', category: 'to-do' },
		{ name: 'In Progress', category: 'in-progress' },
		{ name: 'In Review', category: 'in-progress' },
		{ name: 'Done', category: 'done' },
		{ name: 'Won’t Do', category: 'done' }
	],
	types: [
		{ name: 'Story', subtask: false },
		{ name: 'Bug', subtask: false },
		{ name: 'Task', subtask: false },
		{ name: 'Sub-task', subtask: true }
	]
};

async function addUser(organizationId: string, organizationName: string, email: string): Promise<SignedInUser> {
	const { id } = await db()
		.insertInto('users')
		.values({ organization_id: organizationId, email, name: email.split('@')[0]!, password_hash: 'not a hash', integrations_level: 'manage', is_admin: false })
		.returning('id')
		.executeTakeFirstOrThrow();
	return { id, organizationId, organizationName, email, name: email.split('@')[0]!, level: 'manage', isAdmin: false };
}

async function addIntegration(organizationId: string, name: string, kind: ProviderKind, status: 'healthy' | 'deleting' = 'healthy') {
	const { id } = await db()
		.insertInto('integrations')
		.values({
			organization_id: organizationId,
			kind,
			name,
			auth_method: 'none',
			credential_summary: 'test',
			services: JSON.stringify(providers[kind].services),
			data_status: status,
			status_detail: null,
			last_updated_at: null,
			added_by_email: 'setup@example.com'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return { id, name, kind };
}

/** The same integrations, repositories and projects in any organisation: another's match every search. */
async function addOrganization(name: string): Promise<Org> {
	const organization = await createOrganization(db(), name);
	const integrations = {
		alpha: await addIntegration(organization.id, 'Alpha GitHub', 'github'),
		beta: await addIntegration(organization.id, 'beta git', 'generic-git'),
		gamma: await addIntegration(organization.id, 'Gamma GitLab', 'gitlab'),
		jiraOne: await addIntegration(organization.id, 'Jira One', 'jira-cloud'),
		jiraTwo: await addIntegration(organization.id, 'jira two', 'jira-data-center'),
		jiraGone: await addIntegration(organization.id, 'Jira Gone', 'jira-cloud', 'deleting')
	};
	const group = async (integrationId: string, groupName: string, showInRepos: boolean) =>
		(
			await db()
				.insertInto('groups')
				.values({ organization_id: organization.id, integration_id: integrationId, provider_id: groupName, name: groupName, url: null, show_in_repos: showInRepos })
				.returning('id')
				.executeTakeFirstOrThrow()
		).id;
	const groups = { visible: await group(integrations.alpha.id, 'visible-org', true), hidden: await group(integrations.alpha.id, 'hidden-org', false), team: await group(integrations.gamma.id, 'team', true) };

	const repos: RepoFixture[] = [];
	const homes = [integrations.alpha, integrations.beta, integrations.gamma];
	for (let i = 0; i < 30; i++) {
		const integration = homes[i % homes.length]!;
		const hidden = integration === integrations.alpha && i % 5 === 0;
		// The same name in two integrations (a tie broken by the integration), and once in another case.
		const name = i === 29 ? 'API' : repoNames[i % repoNames.length]!;
		const fixture = {
			name,
			url: `https://git.example/${integration.name}/${i}/${name}.git`,
			integration: integration.name,
			kind: integration.kind,
			imported: i % 5 !== 2 && i % 7 !== 3,
			status: repoDataStatuses[(i * 3) % repoDataStatuses.length]!,
			lastUpdatedAt: i % 4 === 1 ? null : new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 1000) * 3_600_000),
			commits: (i * 37) % 11,
			pullRequests: (i * 13) % 5,
			hidden
		};
		const { id } = await db()
			.insertInto('repos')
			.values({
				organization_id: organization.id,
				integration_id: integration.id,
				url: fixture.url,
				provider_id: fixture.url,
				name: fixture.name,
				imported: fixture.imported,
				data_status: fixture.status,
				status_detail: null,
				last_updated_at: fixture.lastUpdatedAt,
				commits_count: fixture.commits,
				pull_requests_count: fixture.pullRequests,
				cursor: null,
				group_id: integration === integrations.alpha ? (hidden ? groups.hidden : groups.visible) : integration === integrations.gamma ? groups.team : null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		repos.push({ id, ...fixture });
	}

	const projects: ProjectFixture[] = [];
	const ticketHomes = [integrations.jiraOne, integrations.jiraTwo, integrations.jiraOne, integrations.jiraGone];
	for (let i = 0; i < 22; i++) {
		const integration = ticketHomes[i % ticketHomes.length]!;
		const key = i === 0 ? 'CORE' : `P${String.fromCharCode(65 + (i % 13))}${i % 2 === 0 ? '' : 'X'}`;
		const fixture = {
			key,
			name: projectNames[i % projectNames.length]!,
			integration: integration.name,
			imported: i === 0 || i % 3 !== 0,
			status: i === 0 ? ('healthy' as const) : repoDataStatuses[(i * 5) % repoDataStatuses.length]!,
			lastUpdatedAt: i % 4 === 2 ? null : new Date(Date.UTC(2026, 1, 1) + ((i * 104729) % 997) * 3_600_000),
			tickets: (i * 7) % 5
		};
		const { id } = await db()
			.insertInto('ticket_projects')
			.values({
				organization_id: organization.id,
				integration_id: integration.id,
				provider_id: String(10_000 + i),
				key: fixture.key,
				name: fixture.name,
				url: `https://jira.example/projects/${fixture.key}`,
				imported: fixture.imported,
				data_status: fixture.status,
				status_detail: null,
				last_updated_at: fixture.lastUpdatedAt,
				tickets_count: fixture.tickets,
				workflow: JSON.stringify(workflow),
				update_operation_id: null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		projects.push({ id, ...fixture });
	}
	return { id: organization.id, integrations, repos, projects };
}

beforeAll(async () => {
	system = await createTestSystem();
	acme = await addOrganization('Pages');
	other = await addOrganization('Other pages');
	ann = await addUser(acme.id, 'Pages', 'ann@pages.example');
	bob = await addUser(acme.id, 'Pages', 'bob@pages.example');
	outsider = await addUser(other.id, 'Other pages', 'eve@other.example');
});
afterAll(() => system?.stop());

type Key = string | number | null;

/** The order a page must show: by the column, empty values last either way; ties by `ties` (ascending), then id. */
function expectedOrder<T extends { id: string }>(rows: T[], key: (row: T) => Key, direction: 'asc' | 'desc', ties: Array<(row: T) => string>): T[] {
	const compare = (a: Key, b: Key) => (typeof a === 'number' && typeof b === 'number' ? a - b : a! < b! ? -1 : a! > b! ? 1 : 0);
	return [...rows].sort((a, b) => {
		const [ka, kb] = [key(a), key(b)];
		if (ka === null || kb === null) {
			if (ka !== kb) return ka === null ? 1 : -1;
		} else {
			const byColumn = compare(ka, kb);
			if (byColumn !== 0) return direction === 'asc' ? byColumn : -byColumn;
		}
		for (const tie of ties) {
			const byTie = compare(tie(a), tie(b));
			if (byTie !== 0) return byTie;
		}
		return compare(a.id, b.id);
	});
}

/** Every page of a list, in order, with the total each page reported. */
async function allPages<T>(list: (page: number) => Promise<{ rows: T[]; total: number; page: number }>): Promise<{ rows: T[]; totals: number[] }> {
	const rows: T[] = [];
	const totals: number[] = [];
	for (let page = 1; ; page++) {
		const result = await list(page);
		expect(result.page).toBe(page);
		rows.push(...result.rows);
		totals.push(result.total);
		if (page * pageSize >= result.total) return { rows, totals };
	}
}

const lower = (text: string) => text.toLowerCase();

describe('the Repos page', () => {
	const repoKeys: Record<RepoSortColumn, (r: RepoFixture) => Key> = {
		name: (r) => lower(r.name),
		integration: (r) => lower(r.integration),
		status: (r) => lower(repoStatusText[r.status].label),
		updated: (r) => r.lastUpdatedAt?.getTime() ?? null,
		commits: (r) => r.commits,
		pullRequests: (r) => (providers[r.kind].services.includes('pull-requests') ? r.pullRequests : null)
	};
	const shown = (org: Org) => org.repos.filter((r) => !r.hidden);
	const onTab = (tab: ImportTab) => (r: RepoFixture) => r.imported === (tab === 'imported');
	const repos = (query: Partial<Omit<RepoPageFilter, 'page' | 'pageSize'>>) =>
		allPages(async (page) => {
			const result = await listReposPage(db(), acme.id, { tab: 'imported', sort: 'name', direction: 'asc', ...query, page, pageSize });
			return { rows: result.repos, total: result.total, page: result.page };
		});

	it('has test data with empty values, ties and hidden groups', () => {
		expect(acme.repos.some((r) => r.hidden && r.imported)).toBe(true);
		expect(acme.repos.some((r) => r.lastUpdatedAt === null)).toBe(true);
		expect(acme.repos.some((r) => r.kind === 'generic-git')).toBe(true);
		expect(new Set(acme.repos.map((r) => lower(r.name))).size).toBeLessThan(acme.repos.length);
	});

	for (const tab of ['imported', 'available'] as const) {
		for (const column of Object.keys(repoSortColumns) as RepoSortColumn[]) {
			for (const direction of ['asc', 'desc'] as const) {
				it(`sorts the ${tab} tab by ${column}, ${direction === 'asc' ? 'ascending' : 'descending'}, empty values last, across pages`, async () => {
					const { rows, totals } = await repos({ tab, sort: column, direction });
					const expected = expectedOrder(shown(acme).filter(onTab(tab)), repoKeys[column], direction, [repoKeys.name as (r: RepoFixture) => string, repoKeys.integration as (r: RepoFixture) => string]);
					expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
					expect(new Set(totals)).toEqual(new Set([expected.length]));
				});
			}
		}
	}

	it('shows each row’s integration, status, counts and whether it is imported', async () => {
		const { rows } = await repos({ tab: 'imported' });
		const gitRow = rows.find((r) => r.integrationKind === 'generic-git')!;
		expect(gitRow.pullRequests).toBeNull();
		const githubRow = rows.find((r) => r.integrationKind === 'github')!;
		const fixture = acme.repos.find((r) => r.id === githubRow.id)!;
		expect(githubRow).toMatchObject({ name: fixture.name, url: fixture.url, integrationName: 'Alpha GitHub', integrationId: acme.integrations.alpha!.id, imported: true, dataStatus: fixture.status, commits: fixture.commits, pullRequests: fixture.pullRequests });
	});

	it('leaves out the repositories of groups hidden from the Repos page, on both tabs and in every search', async () => {
		const hidden = new Set(acme.repos.filter((r) => r.hidden).map((r) => r.id));
		for (const tab of ['imported', 'available'] as const) {
			const { rows } = await repos({ tab, text: 'git.example' });
			expect(rows.filter((r) => hidden.has(r.id))).toEqual([]);
		}
	});

	it.each([
		['%', ['100% coverage']],
		['0% c', ['100% coverage']],
		['_', ['snake_case']],
		['\\', ['back\\slash']],
		['k\\s', ['back\\slash']]
	])('takes %j literally, not as a pattern', async (text, names) => {
		const matching = shown(acme).filter((r) => names.includes(r.name));
		for (const tab of ['imported', 'available'] as const) {
			const { rows } = await repos({ tab, text });
			expect(rows.map((r) => r.id).sort()).toEqual(matching.filter(onTab(tab)).map((r) => r.id).sort());
		}
		expect(matching.length).toBeGreaterThan(0);
	});

	it('searches names and URLs without regard to case', async () => {
		const { rows } = await repos({ tab: 'imported', text: 'PAYMENTS' });
		expect(rows.map((r) => r.id).sort()).toEqual(shown(acme).filter((r) => r.imported && r.name === 'Payments').map((r) => r.id).sort());
		const byUrl = await repos({ tab: 'imported', text: 'gamma gitlab/' });
		expect(byUrl.rows.map((r) => r.id).sort()).toEqual(shown(acme).filter((r) => r.imported && r.integration === 'Gamma GitLab').map((r) => r.id).sort());
	});

	it('filters by integration and status, together with text, and counts both tabs under the same filters', async () => {
		const status = 'healthy';
		const match = (r: RepoFixture) => r.integration === 'Gamma GitLab' && r.status === status;
		const result = await listReposPage(db(), acme.id, { tab: 'available', integrationId: acme.integrations.gamma!.id, status, sort: 'name', direction: 'asc', page: 1, pageSize: 100 });
		expect(result.repos.map((r) => r.id)).toEqual(expectedOrder(shown(acme).filter((r) => match(r) && !r.imported), repoKeys.name, 'asc', [repoKeys.integration as (r: RepoFixture) => string]).map((r) => r.id));
		expect(result.tabs).toEqual({ imported: shown(acme).filter((r) => match(r) && r.imported).length, available: shown(acme).filter((r) => match(r) && !r.imported).length });
		const withText = await repos({ tab: 'imported', integrationId: acme.integrations.alpha!.id, text: 'a' });
		expect(withText.rows.map((r) => r.id).sort()).toEqual(
			shown(acme)
				.filter((r) => r.imported && r.integration === 'Alpha GitHub' && (lower(r.name).includes('a') || lower(r.url).includes('a')))
				.map((r) => r.id)
				.sort()
		);
	});

	it('shows the last page for a page past the end', async () => {
		const all = shown(acme).filter(onTab('imported'));
		const last = Math.ceil(all.length / pageSize);
		const result = await listReposPage(db(), acme.id, { tab: 'imported', sort: 'name', direction: 'asc', page: 99, pageSize });
		expect(result.page).toBe(last);
		expect(result.repos.map((r) => r.id)).toEqual(expectedOrder(all, repoKeys.name, 'asc', [repoKeys.integration as (r: RepoFixture) => string]).slice((last - 1) * pageSize).map((r) => r.id));
	});

	it('never shows another organisation’s repositories, even filtered by that organisation’s integration', async () => {
		const theirs = new Set(other.repos.map((r) => r.id));
		for (const tab of ['imported', 'available'] as const) {
			const { rows } = await repos({ tab });
			expect(rows.filter((r) => theirs.has(r.id))).toEqual([]);
			expect(rows.length).toBe(shown(acme).filter(onTab(tab)).length);
		}
		const foreign = await listReposPage(db(), acme.id, { tab: 'imported', integrationId: other.integrations.alpha!.id, sort: 'name', direction: 'asc', page: 1, pageSize });
		expect(foreign).toMatchObject({ repos: [], total: 0, tabs: { imported: 0, available: 0 } });
	});

	it('stops importing a repository and keeps what it ingested; another organisation’s is refused', async () => {
		const repo = acme.repos.find((r) => r.imported && !r.hidden && r.commits > 0)!;
		const outcome = await setRepoImported(db(), ann, { repoId: repo.id }, false);
		expect(outcome).toMatchObject({ ok: true, repo: { imported: false, data_status: 'excluded', commits_count: repo.commits } });
		expect(await db().selectFrom('audit_events').select('after').where('action', '=', 'integration.repository_imported').where('actor_id', '=', ann.id).execute()).toEqual([
			{ after: { repository: repo.name, imported: false } }
		]);
		expect(await setRepoImported(db(), ann, { repoId: repo.id }, true)).toMatchObject({ ok: true, repo: { imported: true, data_status: 'queued' } });
		const theirs = other.repos[1]!;
		expect(await setRepoImported(db(), ann, { repoId: theirs.id }, !theirs.imported)).toMatchObject({ ok: false, status: 404 });
		expect((await db().selectFrom('repos').select('imported').where('id', '=', theirs.id).executeTakeFirstOrThrow()).imported).toBe(theirs.imported);
	});
});

describe('the Ticket projects page', () => {
	const projectKeys: Record<TicketProjectSortColumn, (p: ProjectFixture) => Key> = {
		key: (p) => lower(p.key),
		name: (p) => lower(p.name),
		integration: (p) => lower(p.integration),
		status: (p) => lower(ticketProjectStatusText[p.status].label),
		updated: (p) => p.lastUpdatedAt?.getTime() ?? null,
		tickets: (p) => p.tickets
	};
	const ties = [projectKeys.key, projectKeys.integration] as Array<(p: ProjectFixture) => string>;
	const onTab = (tab: ImportTab) => (p: ProjectFixture) => p.imported === (tab === 'imported');
	const projects = (query: Partial<Omit<TicketProjectPageFilter, 'page' | 'pageSize'>>) =>
		allPages(async (page) => {
			const result = await listTicketProjectsPage(db(), acme.id, { tab: 'imported', sort: 'key', direction: 'asc', ...query, page, pageSize });
			return { rows: result.projects, total: result.total, page: result.page };
		});

	for (const tab of ['imported', 'available'] as const) {
		for (const column of Object.keys(ticketProjectSortColumns) as TicketProjectSortColumn[]) {
			for (const direction of ['asc', 'desc'] as const) {
				it(`sorts the ${tab} tab by ${column}, ${direction === 'asc' ? 'ascending' : 'descending'}, empty values last, across pages`, async () => {
					const { rows, totals } = await projects({ tab, sort: column, direction });
					const expected = expectedOrder(acme.projects.filter(onTab(tab)), projectKeys[column], direction, ties);
					expect(rows.map((r) => r.id)).toEqual(expected.map((p) => p.id));
					expect(new Set(totals)).toEqual(new Set([expected.length]));
				});
			}
		}
	}

	it.each([
		['%', ['100% done']],
		['0% d', ['100% done']],
		['_', ['snake_case']],
		['\\', ['back\\slash']]
	])('takes %j literally, not as a pattern', async (text, names) => {
		const { rows } = await projects({ tab: 'imported', text });
		expect(rows.map((r) => r.id).sort()).toEqual(acme.projects.filter((p) => p.imported && names.includes(p.name)).map((p) => p.id).sort());
	});

	it('searches keys and names without regard to case, and filters by integration and status', async () => {
		const byKey = await projects({ tab: 'imported', text: 'core' });
		expect(byKey.rows.map((r) => r.key)).toContain('CORE');
		const status = acme.projects.find((p) => p.integration === 'jira two' && !p.imported)!.status;
		const result = await listTicketProjectsPage(db(), acme.id, { tab: 'available', integrationId: acme.integrations.jiraTwo!.id, status, sort: 'key', direction: 'asc', page: 1, pageSize: 100 });
		const match = (p: ProjectFixture) => p.integration === 'jira two' && p.status === status;
		expect(result.projects.map((p) => p.id)).toEqual(expectedOrder(acme.projects.filter((p) => match(p) && !p.imported), projectKeys.key, 'asc', ties).map((p) => p.id));
		expect(result.tabs).toEqual({ imported: acme.projects.filter((p) => match(p) && p.imported).length, available: acme.projects.filter((p) => match(p) && !p.imported).length });
	});

	it('marks the projects of an integration being deleted', async () => {
		const { rows } = await projects({ tab: 'imported', integrationId: acme.integrations.jiraGone!.id });
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.every((r) => r.integrationDeleting)).toBe(true);
	});

	it('never shows another organisation’s projects', async () => {
		const theirs = new Set(other.projects.map((p) => p.id));
		for (const tab of ['imported', 'available'] as const) {
			const { rows } = await projects({ tab });
			expect(rows.filter((r) => theirs.has(r.id))).toEqual([]);
			expect(rows.length).toBe(acme.projects.filter(onTab(tab)).length);
		}
		const foreign = await listTicketProjectsPage(db(), acme.id, { tab: 'imported', integrationId: other.integrations.jiraOne!.id, sort: 'key', direction: 'asc', page: 1, pageSize });
		expect(foreign).toMatchObject({ projects: [], total: 0 });
		expect(await getTicketProject(db(), acme.id, other.projects[0]!.id)).toBeUndefined();
		expect(await ticketProjectRemoval(db(), acme.id, other.projects[0]!.id)).toBeUndefined();
	});
});

describe('a project’s tickets and the pull requests that mention them', () => {
	let core: ProjectFixture;
	const at = (day: number) => new Date(Date.UTC(2026, 2, day));

	async function addTicket(org: Org, project: ProjectFixture, key: string, title: string, status: string, type: string) {
		const integrationId = org.integrations.jiraOne!.id;
		const category = workflow.statuses.find((s) => s.name === status)!.category;
		await db()
			.insertInto('tickets')
			.values({
				organization_id: org.id,
				integration_id: integrationId,
				project_id: project.id,
				provider_id: key,
				key,
				title,
				type,
				priority: 'Medium',
				status,
				status_category: category,
				assignee: null,
				reporter: null,
				story_points: 3,
				url: `https://jira.example/browse/${key}`,
				created_at: at(1),
				updated_at: at(Number(key.split('-')[1])),
				resolved_at: category === 'done' ? at(20) : null
			})
			.execute();
		await db()
			.insertInto('ticket_status_changes')
			.values({ organization_id: org.id, integration_id: integrationId, project_id: project.id, ticket_provider_id: key, provider_id: `${key}-1`, from_status: null, to_status: status, author: null, changed_at: at(1) })
			.execute();
	}

	async function addPullRequest(org: Org, number: number, title: string, headRef: string, day: number) {
		const repo = org.repos.find((r) => r.integration === 'Alpha GitHub')!;
		await db()
			.insertInto('pull_requests')
			.values({
				organization_id: org.id,
				integration_id: org.integrations.alpha!.id,
				repo_id: repo.id,
				provider_id: String(number),
				number,
				title,
				state: 'open',
				draft: false,
				author: 'dev',
				url: `https://github.example/${org.id}/pull/${number}`,
				base_ref: 'main',
				head_ref: headRef,
				head_sha: null,
				merge_commit_sha: null,
				additions: null,
				deletions: null,
				created_at: at(day),
				updated_at: at(day),
				first_review_at: null,
				merged_at: null,
				closed_at: null
			})
			.execute();
	}

	beforeAll(async () => {
		core = acme.projects.find((p) => p.key === 'CORE')!;
		for (const [key, title, status, type] of [
			['CORE-1', 'Login fails at 100% CPU', 'In Review', 'Bug'],
			['CORE-2', 'Rename snake_case fields', 'To Do', 'Story'],
			['CORE-3', 'Ship it', 'Done', 'Task'],
			['CORE-4', 'A part of CORE-3', 'In Progress', 'Sub-task'],
			['CORE-5', 'Never mind', 'Won’t Do', 'Story'],
			['CORE-12', 'Twelve', 'To Do', 'Bug']
		] as const) {
			await addTicket(acme, core, key, title, status, type);
		}
		await db().updateTable('ticket_projects').set({ tickets_count: 6 }).where('id', '=', core.id).execute();
		await addPullRequest(acme, 1, 'CORE-1: fix the login', 'fix/login', 3);
		await addPullRequest(acme, 2, 'Rename fields', 'feature/core-2-names', 4);
		await addPullRequest(acme, 3, 'CORE-12 and CORE-1 together', 'both', 5);
		await addPullRequest(acme, 4, 'XCORE-1 is another project', 'x', 6);
		await addPullRequest(acme, 5, 'core-1 in lower case is not a key', 'main', 7);
		// The other organisation's pull request names the same key: never shown here.
		await addPullRequest(other, 6, 'CORE-1 elsewhere', 'main', 8);
	});

	it('finds, per key, the organisation’s pull requests whose title or branch mention it, newest first', async () => {
		const found = await pullRequestsMentioning(db(), acme.id, ['CORE-1', 'CORE-2', 'CORE-3', 'CORE-12']);
		const titles = (key: string) => (found.get(key) ?? []).map((pr) => pr.title);
		expect(titles('CORE-1')).toEqual(['CORE-12 and CORE-1 together', 'CORE-1: fix the login']);
		expect(titles('CORE-2')).toEqual(['Rename fields']);
		expect(titles('CORE-3')).toEqual([]);
		expect(titles('CORE-12')).toEqual(['CORE-12 and CORE-1 together']);
		expect(found.get('CORE-1')![1]).toEqual({ title: 'CORE-1: fix the login', url: `https://github.example/${acme.id}/pull/1`, number: 1, state: 'open', repo: acme.repos.find((r) => r.integration === 'Alpha GitHub')!.name });
		expect((await pullRequestsMentioning(db(), other.id, ['CORE-1'])).get('CORE-1')!.map((pr) => pr.title)).toEqual(['CORE-1 elsewhere']);
	});

	it('lists the project’s tickets, most recently updated first, each with its pull requests', async () => {
		const { project } = (await getTicketProject(db(), acme.id, core.id))!;
		const { tickets, total } = await listProjectTickets(db(), acme.id, project, { page: 1, pageSize: 50 });
		expect(total).toBe(6);
		expect(tickets.map((t) => t.key)).toEqual(['CORE-12', 'CORE-5', 'CORE-4', 'CORE-3', 'CORE-2', 'CORE-1']);
		const one = tickets.find((t) => t.key === 'CORE-1')!;
		expect(one).toMatchObject({ status: 'In Review', category: 'in-progress', counted: true, url: 'https://jira.example/browse/CORE-1', storyPoints: 3 });
		expect(one.pullRequests.map((pr) => pr.number)).toEqual([3, 1]);
		expect(tickets.find((t) => t.key === 'CORE-4')!.counted).toBe(false);
		const paged = await listProjectTickets(db(), acme.id, project, { page: 2, pageSize: 4 });
		expect(paged).toMatchObject({ page: 2, total: 6 });
		expect(paged.tickets.map((t) => t.key)).toEqual(['CORE-2', 'CORE-1']);
	});

	it('filters by what statuses mean under the project’s settings, and by text taken literally', async () => {
		const { project } = (await getTicketProject(db(), acme.id, core.id))!;
		const keys = async (filter: Parameters<typeof listProjectTickets>[3], settings: TicketProjectSettings | null = null) =>
			(await listProjectTickets(db(), acme.id, { ...project, settings }, filter)).tickets.map((t) => t.key).sort();
		expect(await keys({ category: 'done', page: 1, pageSize: 50 })).toEqual(['CORE-3', 'CORE-5']);
		expect(await keys({ category: 'in-progress', page: 1, pageSize: 50 })).toEqual(['CORE-1', 'CORE-4']);
		expect(await keys({ category: 'to-do', page: 1, pageSize: 50 })).toEqual(['CORE-12', 'CORE-2']);
		const reviewIsDone = { inProgress: ['In Progress'], done: ['In Review', 'Done'], types: ['Bug'] };
		expect(await keys({ category: 'done', page: 1, pageSize: 50 }, reviewIsDone)).toEqual(['CORE-1', 'CORE-3']);
		expect(await keys({ category: 'to-do', page: 1, pageSize: 50 }, reviewIsDone)).toEqual(['CORE-12', 'CORE-2', 'CORE-5']);
		expect(await keys({ text: '100%', page: 1, pageSize: 50 })).toEqual(['CORE-1']);
		expect(await keys({ text: '_', page: 1, pageSize: 50 })).toEqual(['CORE-2']);
		expect(await keys({ text: 'core-1', page: 1, pageSize: 50 })).toEqual(['CORE-1', 'CORE-12']);
	});

	it('never lists another organisation’s tickets, even for a project id of theirs', async () => {
		const { project } = (await getTicketProject(db(), acme.id, core.id))!;
		expect((await listProjectTickets(db(), other.id, project, { page: 1, pageSize: 50 })).total).toBe(0);
	});
});

describe('a project’s settings', () => {
	let core: ProjectFixture;
	const jiraOne = () => ({ id: acme.integrations.jiraOne!.id, organizationId: acme.id, name: 'Jira One' });

	/** The Configure form as the page sends it. */
	function configureForm(fields: { projectId: string; version: number; base?: TicketProjectSettings; meanings?: Record<string, string>; types?: string[]; reset?: boolean }): FormData {
		const form = new FormData();
		form.set('projectId', fields.projectId);
		form.set('version', String(fields.version));
		if (fields.base) form.set('base', JSON.stringify(fields.base));
		if (fields.reset) form.set('intent', 'reset');
		for (const [status, meaning] of Object.entries(fields.meanings ?? {})) form.set(`status:${status}`, meaning);
		for (const type of fields.types ?? []) form.append('type', type);
		return form;
	}
	const defaults: TicketProjectSettings = { inProgress: ['In Progress', 'In Review'], done: ['Done', 'Won’t Do'], types: ['Story', 'Bug', 'Task'] };
	const defaultMeanings = { 'To Do': 'to-do', 'In Progress': 'in-progress', 'In Review': 'in-progress', Done: 'done', 'Won’t Do': 'done' };

	async function save(user: SignedInUser, form: FormData, integration = jiraOne()) {
		const read = readTicketSettingsForm(form);
		if (!read.ok) throw new Error(read.message);
		return saveTicketProjectSettings(db(), user, integration, read.request, read.errors);
	}
	const stored = () => db().selectFrom('ticket_projects').select(['settings', 'version']).where('id', '=', core.id).executeTakeFirstOrThrow();

	beforeAll(() => {
		core = acme.projects.find((p) => p.key === 'CORE')!;
	});

	it('saves a valid choice in the workflow’s order, bumps the version and records who changed what', async () => {
		const outcome = await save(ann, configureForm({ projectId: core.id, version: 1, base: defaults, meanings: { ...defaultMeanings, 'In Review': 'done' }, types: ['Bug', 'Story'] }));
		expect(outcome).toMatchObject({ ok: true, project: { version: 2, settings: { inProgress: ['In Progress'], done: ['In Review', 'Done', 'Won’t Do'], types: ['Story', 'Bug'] } } });
		expect(await stored()).toEqual({ version: 2, settings: { inProgress: ['In Progress'], done: ['In Review', 'Done', 'Won’t Do'], types: ['Story', 'Bug'] } });
		const audit = await db().selectFrom('audit_events').select(['actor_email', 'subject_id', 'before', 'after']).where('action', '=', 'integration.ticket_project_configured').execute();
		expect(audit).toEqual([
			{
				actor_email: 'ann@pages.example',
				subject_id: acme.integrations.jiraOne!.id,
				before: { project: 'CORE', settings: defaults, version: 1 },
				after: { project: 'CORE', projectId: core.id, settings: { inProgress: ['In Progress'], done: ['In Review', 'Done', 'Won’t Do'], types: ['Story', 'Bug'] }, defaults: false, version: 2 }
			}
		]);
	});

	it('refuses a save based on an older version, saying who changed what, and changes nothing', async () => {
		const outcome = await save(bob, configureForm({ projectId: core.id, version: 1, base: defaults, meanings: { ...defaultMeanings, 'To Do': 'in-progress' }, types: ['Story', 'Bug', 'Task'] }));
		expect(outcome).toMatchObject({ ok: false, status: 409 });
		const stale = (outcome as { stale: string }).stale;
		expect(stale).toContain('ann@pages.example');
		expect(stale).toContain('“In Review” now means done (it meant in progress)');
		expect(stale).toContain('“Task” no longer counts');
		expect(stale).toContain('Nothing of yours was saved');
		expect(await stored()).toMatchObject({ version: 2 });
		expect((await stored()).settings?.inProgress).toEqual(['In Progress']);
	});

	it('refuses settings that do not fit the workflow with a reason per field, and changes nothing', async () => {
		const cases: Array<[Parameters<typeof configureForm>[0], string, RegExp]> = [
			[{ projectId: core.id, version: 2, meanings: { ...defaultMeanings, Done: 'to-do', 'Won’t Do': 'to-do' }, types: ['Bug'] }, 'done', /at least one status that means done/],
			[{ projectId: core.id, version: 2, meanings: defaultMeanings, types: [] }, 'types', /at least one ticket type/],
			[{ projectId: core.id, version: 2, meanings: defaultMeanings, types: ['Epic'] }, 'types', /“Epic” is not a ticket type/],
			[{ projectId: core.id, version: 2, meanings: { ...defaultMeanings, Blocked: 'in-progress' }, types: ['Bug'] }, 'statuses', /“Blocked” is not a status/],
			[{ projectId: core.id, version: 2, meanings: { ...defaultMeanings, Done: 'finished' }, types: ['Bug'] }, 'statuses', /Choose To do, In progress or Done for “Done”/]
		];
		for (const [fields, field, message] of cases) {
			const outcome = await save(ann, configureForm(fields));
			expect(outcome, field).toMatchObject({ ok: false, status: 400 });
			expect((outcome as { errors: Record<string, string> }).errors[field], field).toMatch(message);
		}
		expect(await stored()).toMatchObject({ version: 2, settings: { done: ['In Review', 'Done', 'Won’t Do'] } });
	});

	it('puts back the defaults', async () => {
		expect(await save(bob, configureForm({ projectId: core.id, version: 2, reset: true }))).toMatchObject({ ok: true, project: { version: 3, settings: null } });
		expect(await stored()).toEqual({ version: 3, settings: null });
	});

	it('refuses a project that is not imported, of another integration or organisation, or whose integration is being deleted', async () => {
		const available = acme.projects.find((p) => p.integration === 'Jira One' && !p.imported)!;
		expect(await save(ann, configureForm({ projectId: available.id, version: 1, meanings: defaultMeanings, types: ['Bug'] }))).toMatchObject({ ok: false, status: 409, message: expect.stringMatching(/not imported/) });
		const ofJiraTwo = acme.projects.find((p) => p.integration === 'jira two' && p.imported)!;
		expect(await save(ann, configureForm({ projectId: ofJiraTwo.id, version: 1, meanings: defaultMeanings, types: ['Bug'] }))).toMatchObject({ ok: false, status: 404 });
		const theirs = other.projects.find((p) => p.key === 'CORE')!;
		expect(
			await save(ann, configureForm({ projectId: theirs.id, version: 1, meanings: defaultMeanings, types: ['Bug'] }), { id: other.integrations.jiraOne!.id, organizationId: other.id, name: 'Jira One' })
		).toMatchObject({ ok: false, status: 404 });
		const gone = acme.projects.find((p) => p.integration === 'Jira Gone' && p.imported)!;
		expect(
			await save(ann, configureForm({ projectId: gone.id, version: 1, meanings: defaultMeanings, types: ['Bug'] }), { id: acme.integrations.jiraGone!.id, organizationId: acme.id, name: 'Jira Gone' })
		).toMatchObject({ ok: false, status: 409, message: expect.stringMatching(/being deleted/) });
		const untouched = await db().selectFrom('ticket_projects').select(['version', 'settings']).where('id', 'in', [available.id, ofJiraTwo.id, theirs.id, gone.id]).execute();
		expect(untouched.every((p) => p.version === 1 && p.settings === null)).toBe(true);
	});
});

describe('importing and removing a ticket project', () => {
	const ticketsOf = async (projectId: string) => ({
		tickets: Number((await db().selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow()).n),
		changes: Number((await db().selectFrom('ticket_status_changes').select((eb) => eb.fn.countAll<string>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow()).n)
	});

	it('says how many tickets a removal deletes, deletes them with their history, and records it', async () => {
		const core = acme.projects.find((p) => p.key === 'CORE')!;
		expect(await ticketProjectRemoval(db(), acme.id, core.id)).toEqual({ id: core.id, key: 'CORE', name: core.name, integrationName: 'Jira One', tickets: 6 });
		expect(await ticketProjectRemoval(db(), acme.id, core.id, acme.integrations.jiraTwo!.id)).toBeUndefined();
		const outcome = await setTicketProjectImported(db(), ann, { projectId: core.id }, false);
		expect(outcome).toMatchObject({ ok: true, message: expect.stringMatching(/6 tickets were deleted/), project: { imported: false, dataStatus: 'excluded', tickets: 0 } });
		expect(await ticketsOf(core.id)).toEqual({ tickets: 0, changes: 0 });
		const audit = await db().selectFrom('audit_events').select('after').where('action', '=', 'integration.ticket_project_imported').executeTakeFirstOrThrow();
		expect(audit.after).toEqual({ project: `CORE (${core.name})`, imported: false, ticketsDeleted: 6 });
		expect(await setTicketProjectImported(db(), ann, { projectId: core.id }, true)).toMatchObject({ ok: true, project: { imported: true, dataStatus: 'queued' } });
	});

	it('refuses another organisation’s project, and a project of an integration being deleted', async () => {
		const theirs = other.projects.find((p) => p.key === 'CORE')!;
		await db().insertInto('tickets').values({
			organization_id: other.id,
			integration_id: other.integrations.jiraOne!.id,
			project_id: theirs.id,
			provider_id: 'x',
			key: 'CORE-99',
			title: 'theirs',
			type: 'Bug',
			priority: null,
			status: 'To Do',
			status_category: 'to-do',
			assignee: null,
			reporter: null,
			story_points: null,
			url: 'https://jira.example/browse/CORE-99',
			created_at: new Date(),
			updated_at: new Date(),
			resolved_at: null
		}).execute();
		expect(await setTicketProjectImported(db(), ann, { projectId: theirs.id }, false)).toMatchObject({ ok: false, status: 404 });
		expect(await setTicketProjectImported(db(), outsider, { projectId: theirs.id, integrationId: acme.integrations.jiraOne!.id }, false)).toMatchObject({ ok: false, status: 404 });
		expect(await ticketsOf(theirs.id)).toEqual({ tickets: 1, changes: 0 });
		const gone = acme.projects.find((p) => p.integration === 'Jira Gone' && p.imported)!;
		expect(await setTicketProjectImported(db(), ann, { projectId: gone.id }, false)).toMatchObject({ ok: false, status: 409 });
		expect((await db().selectFrom('ticket_projects').select('imported').where('id', '=', gone.id).executeTakeFirstOrThrow()).imported).toBe(true);
	});
});

