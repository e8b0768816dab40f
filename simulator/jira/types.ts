// Answer bodies typed against the field client's own models (jira.js, whose zod schemas parse
// what Jira Cloud's REST API v3 sends). Bodies are typed with the schemas' input side: dates
// travel as strings, and jira.js's parsed output turns them into Date. jira.js covers Cloud only;
// Data Center's v2 answers share most shapes and take the same types, and where neither has a
// model (Data Center's search page) the type is declared here.
import type { z } from 'zod';
import type {
	BulkChangelogResponseSchema,
	ChangelogSchema,
	DashboardUserSchema,
	FieldDetailsSchema,
	IssueTypeWithStatusSchema,
	PageChangelogSchema,
	PageOfChangelogsSchema,
	PageProjectSchema,
	ProjectSchema,
	SearchAndReconcileResultsSchema,
	SearchResultsSchema,
	ServerInformationSchema,
	StatusDetailsSchema,
	UserPermissionSchema
} from 'jira.js/cloud';

/** `/myself`, and every user object (assignee, reporter, author). */
export type JiraUserJson = z.input<typeof DashboardUserSchema> & { name?: string; key?: string };
export type JiraProjectJson = z.input<typeof ProjectSchema>;
export type JiraProjectPage = z.input<typeof PageProjectSchema>;
export type JiraStatusJson = z.input<typeof StatusDetailsSchema>;
export type JiraIssueTypeStatuses = z.input<typeof IssueTypeWithStatusSchema>;
export type JiraFieldJson = z.input<typeof FieldDetailsSchema>;
export type JiraPermissionJson = z.input<typeof UserPermissionSchema>;
export type JiraPermissions = { permissions: Record<string, JiraPermissionJson> };
export type JiraHistoryJson = z.input<typeof ChangelogSchema>;
export type JiraChangelogPage = z.input<typeof PageChangelogSchema>;
/** The changelog embedded in an issue (`expand=changelog`). */
export type JiraEmbeddedChangelog = z.input<typeof PageOfChangelogsSchema>;
export type JiraEnhancedSearchPage = z.input<typeof SearchAndReconcileResultsSchema>;
/** Data Center's `/search` (Cloud's old one had the same shape). */
export type JiraSearchPage = z.input<typeof SearchResultsSchema>;
export type JiraIssueJson = NonNullable<JiraSearchPage['issues']>[number];
export type JiraBulkChangelog = z.input<typeof BulkChangelogResponseSchema>;
export type JiraServerInfo = z.input<typeof ServerInformationSchema> & { deploymentType: 'Cloud' | 'Server' };

/** Every refusal: `{errorMessages, errors}` (JQL's also carry `warningMessages`). */
export interface JiraErrorBody {
	errorMessages: string[];
	errors: Record<string, string>;
	warningMessages?: string[];
}
