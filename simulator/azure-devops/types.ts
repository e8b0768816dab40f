// Answer bodies typed against the field client's interfaces (azure-devops-node-api), as they
// travel: dates are ISO strings and enums their camel-case names, as the REST API sends them.
import type { TeamProjectReference } from 'azure-devops-node-api/interfaces/CoreInterfaces';
import type { Comment, CommentThreadContext, GitPullRequest, GitPullRequestCommentThread, GitRepository, IdentityRefWithVote } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { IdentityRef } from 'azure-devops-node-api/interfaces/common/VSSInterfaces';
import type { ConnectionData } from 'azure-devops-node-api/interfaces/LocationsInterfaces';

/** Dates as they travel. */
type Wire<T> = T extends Date ? string : T extends Array<infer U> ? Array<Wire<U>> : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export type AzIdentityRef = Wire<IdentityRef>;
export type AzProject = Omit<Wire<TeamProjectReference>, 'state' | 'visibility'> & { state: 'wellFormed'; visibility: 'private' | 'public' };
export type AzRepository = Omit<Wire<GitRepository>, 'project' | 'parentRepository'> & { project: AzProject };
export type AzReviewer = Wire<IdentityRefWithVote>;
export type AzPullRequestStatus = 'active' | 'abandoned' | 'completed';
export type AzPullRequest = Omit<
	Wire<GitPullRequest>,
	'status' | 'mergeStatus' | 'repository' | 'createdBy' | 'closedBy' | 'reviewers' | 'lastMergeSourceCommit' | 'lastMergeTargetCommit' | 'lastMergeCommit'
> & {
	status: AzPullRequestStatus;
	mergeStatus: 'succeeded' | 'notSet' | 'queued';
	repository: AzRepository;
	createdBy: AzIdentityRef;
	closedBy?: AzIdentityRef;
	reviewers: AzReviewer[];
	lastMergeSourceCommit: { commitId: string; url: string };
	lastMergeTargetCommit: { commitId: string; url: string };
	lastMergeCommit?: { commitId: string; url: string };
};
export type AzComment = Omit<Wire<Comment>, 'commentType' | 'author'> & { commentType: 'text' | 'system'; author: AzIdentityRef };
export type AzThread = Omit<Wire<GitPullRequestCommentThread>, 'status' | 'comments' | 'threadContext' | 'pullRequestThreadContext' | 'identities'> & {
	status?: 'active' | 'fixed' | 'closed';
	comments: AzComment[];
	threadContext: Wire<CommentThreadContext> | null;
	identities?: Record<string, AzIdentityRef>;
};
export type AzConnectionData = Omit<Wire<ConnectionData>, 'authenticatedUser' | 'authorizedUser' | 'locationServiceData' | 'deploymentType'> & {
	deploymentType: 'hosted';
	authenticatedUser: AzConnectionIdentity;
	authorizedUser: AzConnectionIdentity;
	locationServiceData: { serviceOwner: string; defaultAccessMappingMoniker: string; lastChangeId: number; lastChangeId64: number };
};

/** `Identity` as connectionData sends it. */
export interface AzConnectionIdentity {
	id: string;
	descriptor: string;
	subjectDescriptor: string;
	providerDisplayName: string;
	isActive: boolean;
	properties: Record<string, { $type: string; $value: string }>;
	resourceVersion: number;
	metaTypeId: number;
}

/** `{count, value}`: every collection the REST API answers. */
export interface AzList<T> {
	count: number;
	value: T[];
}
