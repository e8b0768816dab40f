// The connection test: who the credentials are (/myself), whether they may browse projects (the
// permission every read needs), which projects they see, and one project's tickets read as an
// update reads them (a search with the status history).
import type { ConnectionReport, ConnectionStep } from '../provider.ts';
import { connectionSteps, emptyReport } from '../shared/connection-steps.ts';
import type { JiraApi } from './api.ts';
import { describeJiraError, type ErrorContext, type JiraFailureCategory } from './errors.ts';

type OnStep = (step: ConnectionStep) => Promise<void> | void;

export interface JiraConnectionReport extends ConnectionReport {
	failure?: JiraFailureCategory;
}

/** Account, permission, projects, tickets. */
export const expectedSteps = () => 4;

export async function checkJiraConnection(api: JiraApi, errors: ErrorContext, onStep: OnStep = () => {}): Promise<JiraConnectionReport> {
	const report: JiraConnectionReport = emptyReport();
	const step = connectionSteps(report, onStep);
	let stage = 'Account';
	try {
		const account = await api.myself();
		report.account = account.account;
		await step(`Account (${account.displayName})`, { ok: true });

		stage = 'Permission to browse projects';
		if (!(await api.canBrowse())) {
			report.missingPermissions = ['BROWSE_PROJECTS'];
			report.failure = 'missing-permission';
			await step(stage, { ok: false, message: `${errors.server} accepted the credentials, but their user lacks the Browse projects permission: grant it (a project role or group with Browse projects) on the projects to import.` });
			return report;
		}
		await step(stage, { ok: true });

		stage = 'Projects';
		const projects = await api.projects();
		if (projects.length === 0) {
			await step(stage, { ok: false, message: `${errors.server} shows these credentials no project: give their user Browse projects on the projects to import.` });
			return report;
		}
		await step(`Projects (${projects.length} visible)`, { ok: true });

		const first = projects[0]!;
		stage = `Tickets of ${first.key}`;
		await api.search({ jql: `project = ${Number(first.id) || JSON.stringify(first.key)} ORDER BY key ASC`, fields: ['status', 'updated'], page: null, maxResults: 1 });
		await step(stage, { ok: true });
	} catch (error) {
		const failure = describeJiraError(error, errors);
		report.failure = failure.category;
		await step(stage, { ok: false, message: failure.message });
	}
	return report;
}
