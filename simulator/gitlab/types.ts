// Response and webhook bodies typed against GitLab's field client (@gitbeaker/core), so a shape
// that drifts from what the client expects fails `tsc`.
import type {
	CondensedNamespaceSchema,
	ExpandedGroupSchema,
	ExpandedMergeRequestSchema,
	ExpandedUserSchema,
	GroupSchema,
	MergeRequestLevelMergeRequestApprovalSchema,
	MergeRequestNoteSchema,
	MergeRequestSchema,
	PersonalAccessTokenSchema,
	ProjectSchema,
	SimpleUserSchema,
	WebhookMergeRequestEventSchema,
	WebhookMergeRequestNoteEventSchema,
	WebhookProjectSchema,
	WebhookPushEventSchema,
	WebhookTagEventSchema
} from '@gitbeaker/core';

/**
 * `Omit` for gitbeaker's schemas: they extend `Record<string, unknown>`, and the built-in `Omit`
 * of such a type keeps only the index signature (every named field would go unchecked).
 */
export type Without<T, K extends PropertyKey> = { [P in keyof T as P extends K ? never : P]: T[P] };

/** A user where GitLab embeds one (`author`, `merged_by`…): without `created_at`. */
export type UserRef = Without<SimpleUserSchema, 'created_at'>;
export type CurrentUser = ExpandedUserSchema;
export type NamespaceJson = CondensedNamespaceSchema;
/** GitLab never shows a token's secret again: `/personal_access_tokens/self` has no `token`. */
export type TokenSelf = Without<PersonalAccessTokenSchema, 'token'>;
/** gitbeaker types `parent_id` as a number; a top-level group has none. */
export type Group = Without<GroupSchema, 'parent_id'> & { parent_id: number | null };
/** A group's details, without the runners token (maintainers only) and file template project (none). */
export type GroupDetail = Without<ExpandedGroupSchema, 'parent_id' | 'runners_token' | 'file_template_project_id'> & { parent_id: number | null };
type Role = { access_level: number; notification_level: number };
/**
 * GitLab shows a project's licence only with `?license=true`, its runners token only to
 * maintainers, its deletion date only once marked and mirror settings only for mirrors; its
 * owner only in a personal namespace, a role only where the caller has one, and the minimum role
 * for pipeline variables as a role name (gitbeaker says boolean).
 */
export type Project = Without<
	ProjectSchema,
	| 'license'
	| 'license_url'
	| 'runners_token'
	| 'marked_for_deletion_on'
	| 'mirror_user_id'
	| 'mirror_trigger_builds'
	| 'only_mirror_protected_branches'
	| 'mirror_overwrites_diverged_branches'
	| 'owner'
	| 'permissions'
	| 'ci_pipeline_variables_minimum_override_role'
> & {
	owner?: ProjectSchema['owner'];
	permissions: { project_access: Role | null; group_access: Role | null };
	ci_pipeline_variables_minimum_override_role: string;
	forked_from_project?: Pick<ProjectSchema, 'id' | 'name' | 'path' | 'path_with_namespace' | 'web_url'>;
};
export type MergeRequest = MergeRequestSchema;
export type MergeRequestDetail = ExpandedMergeRequestSchema;
/** gitbeaker's note lacks `type`: GitLab's `DiffNote`, `DiscussionNote` or null. */
export type Note = MergeRequestNoteSchema & { type: 'DiffNote' | 'DiscussionNote' | null };
export type Approvals = MergeRequestLevelMergeRequestApprovalSchema;
/** `T` with the fields `K` also null: where GitLab sends null and gitbeaker's schema does not say so. */
type Nullable<T, K extends keyof T> = Without<T, K> & { [P in K]: T[P] | null };

export type WebhookProject = WebhookProjectSchema;
/** What GitLab sends beside gitbeaker's push fields: the tag message and the push options. */
type PushExtras = { message: string | null; push_options: Record<string, string> };
export type PushEvent = WebhookPushEventSchema & PushExtras;
export type TagPushEvent = WebhookTagEventSchema & PushExtras & Pick<WebhookPushEventSchema, 'user_username' | 'user_email'>;
type MergeRequestEventSchema = WebhookMergeRequestEventSchema;
/**
 * GitLab sends only the attributes that changed in `changes` (any attribute, not only those
 * gitbeaker names), and nulls for what never happened (not edited, not merged, no time tracked).
 */
export type MergeRequestEvent = Without<MergeRequestEventSchema, 'object_attributes' | 'changes'> & {
	object_attributes: Nullable<
		MergeRequestEventSchema['object_attributes'],
		'last_edited_at' | 'last_edited_by_id' | 'merge_commit_sha' | 'human_total_time_spent' | 'human_time_change' | 'human_time_estimate'
	>;
	changes: Partial<MergeRequestEventSchema['changes']> & Record<string, { previous: unknown; current: unknown }>;
};
type NoteEventSchema = WebhookMergeRequestNoteEventSchema;
/** A note off the diff has no line code or commit; GitLab sends the noteable's id as a number. */
export type NoteEvent = Without<NoteEventSchema, 'object_attributes' | 'merge_request'> & {
	object_attributes: Without<Nullable<NoteEventSchema['object_attributes'], 'line_code' | 'commit_id'>, 'noteable_id'> & { noteable_id: number };
	merge_request: Nullable<NoteEventSchema['merge_request'], 'assignee_id' | 'milestone_id'>;
};
