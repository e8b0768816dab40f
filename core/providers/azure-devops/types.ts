// Azure DevOps's answers as they travel, typed from the field client's interfaces
// (azure-devops-node-api): dates are ISO strings and enums their camel-case names on the wire, and
// any field may be missing from what a server (or a proxy) sends, so everything is optional.
import type { TeamProjectReference } from 'azure-devops-node-api/interfaces/CoreInterfaces';
import type { Comment, GitPullRequest, GitPullRequestCommentThread, GitRepository, IdentityRefWithVote } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { IdentityRef } from 'azure-devops-node-api/interfaces/common/VSSInterfaces';

/** Dates as strings, every field optional, down the tree. */
type Wire<T> = T extends Date ? string : T extends Array<infer U> ? Array<Wire<U>> : T extends object ? { [K in keyof T]?: Wire<T[K]> } : T;

export type AzIdentity = Wire<IdentityRef>;
export type AzProject = Wire<TeamProjectReference>;
export type AzRepository = Omit<Wire<GitRepository>, 'project'> & { project?: AzProject };
export type AzReviewer = Wire<IdentityRefWithVote>;
export type AzPullRequestStatus = 'active' | 'abandoned' | 'completed' | 'notSet' | 'all';
export type AzPullRequest = Omit<Wire<GitPullRequest>, 'status' | 'repository' | 'reviewers' | 'createdBy'> & {
	status?: AzPullRequestStatus;
	repository?: AzRepository;
	reviewers?: AzReviewer[];
	createdBy?: AzIdentity;
};
export type AzComment = Omit<Wire<Comment>, 'commentType' | 'author'> & { commentType?: 'text' | 'system' | 'codeChange' | 'unknown'; author?: AzIdentity };
export type AzThread = Omit<Wire<GitPullRequestCommentThread>, 'comments' | 'threadContext' | 'identities' | 'properties' | 'status'> & {
	comments?: AzComment[];
	threadContext?: object | null;
	identities?: Record<string, AzIdentity>;
	properties?: Record<string, { $type?: string; $value?: unknown } | undefined>;
	status?: string;
};

/** `{count, value}`: every collection the REST API answers. */
export interface AzList<T> {
	count?: number;
	value?: T[];
}

/** connectionData's identities (`authenticatedUser`). */
export interface AzConnectionIdentity {
	id?: string;
	descriptor?: string;
	providerDisplayName?: string;
	properties?: Record<string, { $value?: unknown } | undefined>;
}
