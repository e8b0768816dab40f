// The provider seam: what one kind of integration (GitHub, GitLab, Jira, any git server…) brings.
// Pages, activities and the deletion look a provider up by its kind in the registry and call
// only this; a new kind is a folder implementing it and one line in registry.ts.
//
// Where each part runs: the form and its checks in the web process (nothing is saved until the
// provider says it can reach what was entered); the connection test, discovery and ingest in
// worker activities (credentials are opened only there); webhooks in the web process, which
// verifies them and starts the work they ask for.
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type pg from 'pg';
import type { Settings } from '#core/config.ts';
import type { Database } from '#core/db/database.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { AuthMethod, ProviderKind } from '#core/domain/integrations/providers.ts';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import type { GitCredentials } from '#core/git/run-git.ts';
import type { StatusCategory, TicketWorkflow } from '#core/domain/tickets/ticket-project.ts';

export type Check<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/** A form as its schema read it: every field as text (checkboxes "on"), secrets included, never logged. */
export type SubmittedForm = Record<string, string | undefined>;

/** A repository the integration will hold, as the provider names it. */
export interface RepositoryDraft {
	/** The provider's id of it within the integration (Generic Git: its URL). */
	providerId: string;
	/** Where git fetches it from. */
	url: string;
	/** How people recognise it (a URL without credentials, owner/name…). */
	display: string;
	name: string;
	groupProviderId?: string;
	archived?: boolean;
	fork?: boolean;
	/** Whether it is imported at once (ingested by updates); discovery may list some that are not. */
	imported?: boolean;
}

/** What a submitted form becomes: everything to store, checked, with the credentials still open. */
export interface IntegrationDraft<Credentials = unknown> {
	name: string;
	authMethod: AuthMethod;
	/** The secret part; sealed before it is stored. Null: none needed (public repositories). */
	credentials: Credentials | null;
	/** Editing only: no secret was typed and the method is the same, so the sealed one stays (untested, unopened). */
	keepCredentials?: boolean;
	baseUrl: string | null;
	/** Non-secret provider settings (a CA certificate, chosen services…). */
	settings: Record<string, unknown>;
	/** Repositories entered on the form; hosted kinds discover theirs after saving instead. */
	repositories: RepositoryDraft[];
	deploymentsFromTags: boolean;
}

/** What the web process lends a provider while it checks a form. */
export interface FormContext {
	db: Kysely<Database>;
	user: SignedInUser;
	settings: Settings;
	/** The integration being edited; absent while adding. */
	editing?: { id: string; authMethod: AuthMethod; baseUrl: string | null; settings: Record<string, unknown>; repositories: RepositoryDraft[] };
}

/** The outcome of reaching the provider: per item, reached or why not, in words a person can act on. */
export interface ReachResult {
	/** One sentence per failure, naming what failed. */
	failures: string[];
	/** Set when the person has tested too many addresses this minute: nothing was tested. */
	limited?: string;
}

/** What an activity lends a provider: connections, settings and the integration's own row. */
export interface ProviderContext<Credentials = unknown> {
	db: Kysely<Database>;
	pool: pg.Pool;
	settings: Settings;
	integration: { id: string; organizationId: string; name: string; authMethod: AuthMethod; baseUrl: string | null; settings: Record<string, unknown> };
	/** Opened inside the worker only; null for an integration without credentials. */
	credentials: Credentials | null;
	/** Tells Temporal the activity is alive (long calls heartbeat through this). */
	heartbeat: () => void;
	signal: AbortSignal;
}

/** One line of a connection test, live on the operation: which item, and how it went. */
export interface ConnectionStep {
	item: string;
	ok: boolean;
	message: string | null;
}

export interface ConnectionReport {
	ok: boolean;
	/** Who the credentials belong to, as the provider says. */
	account?: string;
	/** Permissions the chosen services need and the credentials lack, by the provider's names. */
	missingPermissions?: string[];
	/** When the credentials stop working, if the provider says. */
	expiresAt?: Date | null;
	/** The first failure's sentence, or a summary of several. */
	message: string | null;
	reached: number;
	failed: number;
}

/** A group and its repositories as the provider lists them now. */
export interface DiscoveredGroup {
	providerId: string;
	name: string;
	url: string | null;
	repositories: RepositoryDraft[];
}

/** How the git ingest reaches one repository: over HTTPS or SSH with the integration's credentials. */
export interface GitRemote {
	url: string;
	credentials: GitCredentials;
}

/** A delivery as the provider names it: its id (a replay repeats it), event and action. */
export interface WebhookDelivery {
	id: string;
	event: string;
	action: string | null;
}

/** What a delivery asks of the product. */
export type WebhookEffect =
	| { kind: 'ping' }
	/** An incremental update of these repositories (the provider's ids of them). */
	| { kind: 'update'; repositories: string[]; what: string }
	/**
	 * Something deleted on the provider, which no incremental read can see (lists of changes
	 * since a time do not name what is gone): removed here at once.
	 */
	| { kind: 'removed'; repository: string; table: RemovableActivity; providerId: string; what: string }
	/** An incremental update of these ticket projects (the provider's ids of them). */
	| { kind: 'update-tickets'; projects: string[]; what: string }
	/** A ticket deleted on the provider: removed here at once, with its status history. */
	| { kind: 'ticket-removed'; project: string; ticket: string; what: string }
	| { kind: 'ignored'; reason: string };

/** Pull request activity a provider tells of deleting. */
export type RemovableActivity = 'pull_request_comments' | 'pull_request_review_comments';

/** How a provider's webhooks are verified and read; the web process calls these, nothing else. */
export interface ProviderWebhooks {
	/** Whether the body was signed with the secret (in constant time). False: 401, nothing else happens. */
	verify(secret: string, body: string, headers: Headers): Promise<boolean>;
	/** Reads a verified delivery: its identity and what it asks for, or why it cannot be read. */
	read(body: string, headers: Headers): { ok: true; delivery: WebhookDelivery; effect: WebhookEffect } | { ok: false; message: string };
	/** For the Webhooks tab: where to paste the URL and secret, which events to choose, which content type. */
	instructions: string;
	/** For the Webhooks tab before any delivery: what the provider sends first, and when. */
	firstDelivery: string;
}

/** A provider's API quota as its last answer reported it. */
export interface ApiQuota {
	limit: number;
	remaining: number;
	resetAt: Date;
}

/**
 * What a provider throws when its quota is spent: nothing more can be asked before `resetAt`.
 * The activity ends, and the workflow waits for the reset with a timer and carries on.
 */
export interface RateLimited {
	resetAt: Date;
	quota?: ApiQuota;
}

/** The spent quota an error reports (a provider's own error class with `resetAt`), if it is one. */
export function rateLimitOf(error: unknown): RateLimited | undefined {
	if (!(error instanceof Error)) return undefined;
	const { resetAt, quota } = error as Error & Partial<RateLimited>;
	return resetAt instanceof Date && !Number.isNaN(resetAt.getTime()) ? { resetAt, ...(quota ? { quota } : {}) } : undefined;
}

/** A pull request as stored, in the provider's words mapped to ours. Keyed by its provider id within the repository. */
export interface PullRequestRecord {
	providerId: string;
	number: number;
	title: string;
	state: 'open' | 'closed' | 'merged';
	draft: boolean;
	/** Null for a deleted account. */
	author: string | null;
	url: string;
	baseRef: string;
	headRef: string;
	headSha: string | null;
	mergeCommitSha: string | null;
	additions: number | null;
	deletions: number | null;
	createdAt: Date;
	updatedAt: Date;
	firstReviewAt: Date | null;
	mergedAt: Date | null;
	closedAt: Date | null;
}

/** A review, review comment or conversation comment of a pull request. */
export interface PullRequestActivityRecord {
	providerId: string;
	pullRequestProviderId: string;
	author: string | null;
	/** Reviews: approved, changes_requested, commented, dismissed; comments: null. */
	state: string | null;
	createdAt: Date;
	updatedAt: Date | null;
}

/** Rows to store together with the cursor they bring the repository to (one transaction). */
export interface PullRequestBatch {
	pullRequests?: PullRequestRecord[];
	reviews?: PullRequestActivityRecord[];
	reviewComments?: PullRequestActivityRecord[];
	comments?: PullRequestActivityRecord[];
	/** The provider's own cursor after these rows: stored with them, handed back on the next run. */
	cursor: Record<string, unknown>;
}

/** One repository's pull request ingest, as the activity lends it to the provider. */
export interface PullRequestRun {
	repo: { id: string; providerId: string; name: string; url: string };
	/** Where the last run left the repository (a pass under way included); null before the first. */
	cursor: Record<string, unknown> | null;
	/** Requests in flight at most; the provider asks fewer as its quota runs low. */
	concurrency: number;
	/** Stores a batch and its cursor, only while the integration is not being deleted. Returns rows changed. */
	store(batch: PullRequestBatch): Promise<number>;
	/** Of these provider ids, the pull requests the repository holds (to keep comments of pull requests only). */
	existing(providerIds: string[]): Promise<Set<string>>;
	/** Pull requests stored in this run, of about `total` to fetch. */
	progress(done: number, total: number): Promise<void>;
	/** Hears the quota after every answer. */
	quota(quota: ApiQuota): void;
}

/** A ticket project as the provider lists it now, with its workflow (statuses and ticket types). */
export interface DiscoveredTicketProject {
	/** The provider's id of it, which a rename keeps. */
	providerId: string;
	key: string;
	name: string;
	url: string | null;
	workflow: TicketWorkflow;
}

/** A ticket as stored, in the provider's words mapped to ours. Keyed by its provider id within the project. */
export interface TicketRecord {
	providerId: string;
	key: string;
	title: string;
	type: string;
	priority: string | null;
	status: string;
	statusCategory: StatusCategory;
	/** Display names; null when unassigned (or for a deleted account). */
	assignee: string | null;
	reporter: string | null;
	/** Null where the project has no such field or the ticket no estimate. */
	storyPoints: number | null;
	url: string;
	createdAt: Date;
	updatedAt: Date;
	resolvedAt: Date | null;
}

/** One move of a ticket from a status to another. */
export interface TicketStatusChangeRecord {
	ticketProviderId: string;
	/** The provider's id of the change, stable across reads (Jira: the history's id and the item's place in it). */
	providerId: string;
	from: string | null;
	to: string;
	author: string | null;
	changedAt: Date;
}

/** Tickets and the status history of each, stored together with the cursor they bring the project to. */
export interface TicketBatch {
	tickets: TicketRecord[];
	/** The whole status history of each ticket in `tickets` as read now. */
	statusChanges: TicketStatusChangeRecord[];
	cursor: Record<string, unknown>;
}

/** One ticket project's ingest, as the activity lends it to the provider. */
export interface TicketRun {
	/** Its workflow as the last discovery listed it (the categories of its statuses). */
	project: { id: string; providerId: string; key: string; name: string; workflow: TicketWorkflow };
	/** Where the last run left the project; null before the first. */
	cursor: Record<string, unknown> | null;
	/** Stores a batch and its cursor, only while the integration is not being deleted. Returns rows changed. */
	store(batch: TicketBatch): Promise<number>;
	/** Tickets read in this run, of about `total` (0 when the provider does not say). */
	progress(done: number, total: number): Promise<void>;
	/** Hears the quota after every answer. */
	quota(quota: ApiQuota): void;
}

export interface IntegrationProvider<Credentials = unknown> {
	kind: ProviderKind;
	/**
	 * The add and edit form beyond the name and the authentication method (which every form has):
	 * data the page renders, so a provider needs no page of its own.
	 */
	fields: FormField[];
	/** The submitted form's shape: every field with its limits (the name and authMethod included). */
	formSchema(editing: boolean): z.ZodObject;
	/** Checks what the schema let through; when editing, secret fields left empty keep the stored ones. */
	readForm(form: SubmittedForm, context: FormContext): Check<IntegrationDraft<Credentials>>;
	/**
	 * Refusals per form field, before anything is tested or stored: repositories already in another integration
	 * of the organisation, in their cooldown after a deletion…
	 */
	checkAvailability(draft: IntegrationDraft<Credentials>, context: FormContext): Promise<Record<string, string>>;
	/** Reaches the provider with the form's credentials, before saving (web process). */
	reach(draft: IntegrationDraft<Credentials>, context: FormContext): Promise<ReachResult>;
	/** What the UI may show about the credentials: whose, which method. Never the secret. */
	describeCredentials(draft: IntegrationDraft<Credentials>, user: SignedInUser): string;
	/** What the connection test's bar counts; repositories reached when absent (each step one repository). */
	testStepsLabel?: string;
	/** The test of a saved integration (worker): who am I, permissions, expiry, each item reached. */
	testConnection(context: ProviderContext<Credentials>, onStep: (step: ConnectionStep, total: number) => Promise<void>): Promise<ConnectionReport>;
	/** Groups and their repositories, for kinds that list them (hosted providers). */
	discover?(context: ProviderContext<Credentials>): Promise<DiscoveredGroup[]>;
	/** For kinds that deliver webhooks. */
	webhooks?: ProviderWebhooks;
	/** For kinds with repository data: where git fetches a repository and with what. */
	gitRemote?(context: ProviderContext<Credentials>, repo: { url: string; providerId: string }): Promise<GitRemote>;
	/**
	 * For kinds with pull requests: ingests one repository's new and changed pull requests, their
	 * reviews and comments, from `run.cursor` on. Throws a RateLimited error when the quota is spent.
	 */
	pullRequests?(context: ProviderContext<Credentials>, run: PullRequestRun): Promise<void>;
	/** For kinds with tickets: the ticket projects the credentials can browse, with their workflows. */
	discoverTicketProjects?(context: ProviderContext<Credentials>): Promise<DiscoveredTicketProject[]>;
	/**
	 * For kinds with tickets: ingests one project's new and changed tickets with their status
	 * history, from `run.cursor` on. Throws a RateLimited error when the quota is spent.
	 */
	tickets?(context: ProviderContext<Credentials>, run: TicketRun): Promise<void>;
}
