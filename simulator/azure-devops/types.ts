// Answer bodies typed against the field client's interfaces (azure-devops-node-api), as they
// travel: dates are ISO strings and enums their camel-case names, as the REST API sends them.
import type { TeamProjectReference } from 'azure-devops-node-api/interfaces/CoreInterfaces';
import type { Comment, CommentThreadContext, GitPullRequest, GitPullRequestCommentThread, GitRepository, IdentityRefWithVote } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { IdentityRef } from 'azure-devops-node-api/interfaces/common/VSSInterfaces';
import type { ConnectionData } from 'azure-devops-node-api/interfaces/LocationsInterfaces';
import type {
	IdentityReference,
	WorkItem,
	WorkItemFieldReference,
	WorkItemFieldUpdate,
	WorkItemIcon,
	WorkItemQueryResult,
	WorkItemQuerySortColumn,
	WorkItemReference,
	WorkItemStateColor,
	WorkItemStateTransition,
	WorkItemType,
	WorkItemTypeFieldInstance,
	WorkItemUpdate
} from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';

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

/** A work item field's value as it travels: dates ISO strings, identities `IdentityRef`s. */
export type AzFieldValue = string | number | AzIdentityRef;

/** `WorkItem`: `fields` holds only the fields that have a value. */
export type AzWorkItem = Omit<Wire<WorkItem>, 'id' | 'rev' | 'fields' | 'url' | 'relations' | 'commentVersionRef'> & {
	id: number;
	rev: number;
	fields: Record<string, AzFieldValue>;
	/** With `$expand` Relations or All: none are simulated. */
	relations?: [];
	url: string;
};

export type AzFieldReference = Required<Wire<WorkItemFieldReference>>;

/** `WorkItemQueryResult` of a flat query: ids only. */
export type AzWorkItemQueryResult = Omit<Wire<WorkItemQueryResult>, 'queryType' | 'queryResultType' | 'asOf' | 'columns' | 'sortColumns' | 'workItems' | 'workItemRelations'> & {
	queryType: 'flat';
	queryResultType: 'workItem';
	asOf: string;
	columns: AzFieldReference[];
	sortColumns: Array<Omit<Wire<WorkItemQuerySortColumn>, 'field' | 'descending'> & { field: AzFieldReference; descending: boolean }>;
	workItems: Array<Required<Wire<WorkItemReference>>>;
};

export type AzFieldUpdate = Omit<Wire<WorkItemFieldUpdate>, 'oldValue' | 'newValue'> & { oldValue?: AzFieldValue; newValue?: AzFieldValue };

/** `IdentityReference`: an `IdentityRef` with WIT's legacy `name` (`Display Name <email>`). */
export type AzIdentityReference = Wire<IdentityReference> & { id: string; name: string; displayName: string; uniqueName: string };

/** `WorkItemUpdate`: `revisedDate` is when this revision was superseded (9999-01-01 for the latest). */
export type AzWorkItemUpdate = Omit<Wire<WorkItemUpdate>, 'id' | 'workItemId' | 'rev' | 'revisedBy' | 'revisedDate' | 'fields' | 'url' | 'relations'> & {
	id: number;
	workItemId: number;
	rev: number;
	revisedBy: AzIdentityReference;
	revisedDate: string;
	fields: Record<string, AzFieldUpdate>;
	url: string;
};

export type AzWorkItemStateColor = Required<Wire<WorkItemStateColor>>;

export type AzWorkItemType = Omit<Wire<WorkItemType>, 'name' | 'referenceName' | 'description' | 'color' | 'icon' | 'isDisabled' | 'states' | 'fields' | 'fieldInstances' | 'transitions' | 'xmlForm' | 'url'> & {
	name: string;
	referenceName: string;
	description: string;
	color: string;
	icon: Required<Wire<WorkItemIcon>>;
	isDisabled: boolean;
	states: AzWorkItemStateColor[];
	fields: Array<Wire<WorkItemTypeFieldInstance> & { referenceName: string; name: string; url: string; alwaysRequired: boolean }>;
	fieldInstances: Array<Wire<WorkItemTypeFieldInstance> & { referenceName: string; name: string; url: string; alwaysRequired: boolean }>;
	transitions: Record<string, Array<Omit<Wire<WorkItemStateTransition>, 'to' | 'actions'> & { to: string; actions: null }>>;
	url: string;
};
