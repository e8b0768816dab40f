// Response bodies typed against GitHub's published OpenAPI description.
import type { components } from '@octokit/openapi-types';

type Schemas = components['schemas'];
export type SimpleUser = Schemas['simple-user'];
export type PrivateUser = Schemas['private-user'];
export type OrganizationSimple = Schemas['organization-simple'];
export type OrganizationFull = Schemas['organization-full'];
export type FullRepository = Schemas['full-repository'];
export type MinimalRepository = Schemas['minimal-repository'];
export type Repository = Schemas['repository'];
export type PullRequestSimple = Schemas['pull-request-simple'];
/** GitHub answers `user: null` for a deleted author, though the schema says otherwise. */
export type PullRequest = Omit<Schemas['pull-request'], 'user'> & { user: SimpleUser | null };
export type PullRequestReview = Schemas['pull-request-review'];
export type PullRequestReviewComment = Schemas['pull-request-review-comment'];
export type IssueComment = Schemas['issue-comment'];
export type Integration = Schemas['integration'];
export type Installation = Schemas['installation'];
export type InstallationToken = Schemas['installation-token'];
export type AppPermissions = Schemas['app-permissions'];
export type RateLimitOverview = Schemas['rate-limit-overview'];
export type WebhookPush = Schemas['webhook-push'];
export type WebhookPing = Schemas['webhook-ping'];
export type WebhookPullRequestOpened = Schemas['webhook-pull-request-opened'];
export type WebhookPullRequestReviewSubmitted = Schemas['webhook-pull-request-review-submitted'];
