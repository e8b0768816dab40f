// The World as Azure DevOps answers it: projects, repositories, identities, pull requests (GitHub
// states become `active`/`abandoned`/`completed`, reviews become reviewer votes) and comment
// threads (review comments are threads on a file, conversation comments threads without a
// context, approving and change-requesting reviews `VoteUpdate` system threads, commenting reviews
// with words text threads).
import { AZURE_PREFIX, guid, type AzureIdentity, type AzureModel, type AzureOrganization, type AzureProject, type AzureRepository } from './model.ts';
import type { PullFacts, PullStore, ReviewRecord } from '../github/pull-store.ts';
import type { AzComment, AzIdentityRef, AzProject, AzPullRequest, AzPullRequestStatus, AzRepository, AzReviewer, AzThread } from './types.ts';

export const time = (ms: number) => new Date(ms).toISOString();

/** `<origin>/azure-devops/{organization}`: the organisation URL. */
export function orgUrl(origin: string, organization: AzureOrganization): string {
	return `${origin}${AZURE_PREFIX}/${organization.name}`;
}

export const seg = (name: string) => encodeURIComponent(name);

export function identityRef(base: string, identity: AzureIdentity): AzIdentityRef {
	return {
		displayName: identity.displayName,
		url: `${base}/_apis/Identities/${identity.id}`,
		_links: { avatar: { href: `${base}/_apis/GraphProfile/MemberAvatars/${identity.descriptor}` } },
		id: identity.id,
		uniqueName: identity.uniqueName,
		imageUrl: `${base}/_api/_common/identityImage?id=${identity.id}`,
		descriptor: identity.descriptor
	};
}

export function projectJson(origin: string, project: AzureProject): AzProject {
	const base = orgUrl(origin, project.organization);
	return {
		id: project.id,
		name: project.name,
		description: project.description,
		url: `${base}/_apis/projects/${project.id}`,
		state: 'wellFormed',
		revision: 11,
		visibility: 'private',
		lastUpdateTime: time(project.lastUpdateTime)
	};
}

/** The clone URL, with the organisation as userinfo as Azure DevOps writes it. */
export function remoteUrl(origin: string, repository: AzureRepository): string {
	const url = new URL(origin);
	const organization = repository.project.organization.name;
	return `${url.protocol}//${organization}@${url.host}${AZURE_PREFIX}/${organization}/${seg(repository.project.name)}/_git/${seg(repository.name)}`;
}

export function repositoryJson(origin: string, repository: AzureRepository): AzRepository {
	const base = orgUrl(origin, repository.project.organization);
	const host = new URL(origin).hostname;
	return {
		id: repository.id,
		name: repository.name,
		url: `${base}/${repository.project.id}/_apis/git/repositories/${repository.id}`,
		project: projectJson(origin, repository.project),
		defaultBranch: 'refs/heads/main',
		size: repository.repo.commits * 2_048,
		remoteUrl: remoteUrl(origin, repository),
		sshUrl: `git@ssh.${host}:v3/${repository.project.organization.name}/${seg(repository.project.name)}/${seg(repository.name)}`,
		webUrl: `${base}/${seg(repository.project.name)}/_git/${seg(repository.name)}`,
		isDisabled: repository.repo.archived,
		isInMaintenance: false,
		isFork: repository.repo.fork
	};
}

export function statusOf(pull: PullFacts): AzPullRequestStatus {
	return pull.state === 'open' ? 'active' : pull.state === 'merged' ? 'completed' : 'abandoned';
}

/** A review's vote: the one cast through the control API, else 10 for an approval, -5 (waiting for the author) for changes requested, 0 for a comment. */
export function voteOf(model: AzureModel, review: ReviewRecord): number {
	return model.votes.get(review.id) ?? (review.state === 'APPROVED' ? 10 : review.state === 'CHANGES_REQUESTED' ? -5 : 0);
}

/** Each reviewer once, with their latest vote (a comment does not undo a vote; a vote cast as 0 does). */
export function reviewers(model: AzureModel, base: string, store: PullStore, number: number): AzReviewer[] {
	const byIdentity = new Map<string, { identity: AzureIdentity; vote: number }>();
	for (const review of store.reviews(number)) {
		const identity = model.identity(review.user);
		const vote = voteOf(model, review);
		const explicit = model.votes.has(review.id) || review.state !== 'COMMENTED';
		const known = byIdentity.get(identity.id);
		if (!known) byIdentity.set(identity.id, { identity, vote });
		else if (explicit) known.vote = vote;
	}
	return [...byIdentity.values()].map(({ identity, vote }) => ({
		...identityRef(base, identity),
		reviewerUrl: `${base}/_apis/git/repositories/REPO/pullRequests/${number}/reviewers/${identity.id}`,
		vote,
		hasDeclined: false,
		isFlagged: false
	}));
}

export function pullRequestJson(origin: string, model: AzureModel, repository: AzureRepository, store: PullStore, pull: PullFacts): AzPullRequest {
	const base = orgUrl(origin, repository.project.organization);
	const repoUrl = `${base}/${repository.project.id}/_apis/git/repositories/${repository.id}`;
	const commit = (sha: string) => ({ commitId: sha, url: `${repoUrl}/commits/${sha}` });
	const status = statusOf(pull);
	const seed = model.world.options.seed;
	return {
		repository: repositoryJson(origin, repository),
		pullRequestId: pull.number,
		codeReviewId: pull.number,
		status,
		createdBy: identityRef(base, model.identity(pull.author)),
		creationDate: time(pull.created),
		...(pull.closed === null ? {} : { closedDate: time(pull.closed), closedBy: identityRef(base, model.identity(status === 'completed' ? pull.mergedBy : pull.author)) }),
		title: pull.title,
		...(pull.body ? { description: pull.body } : {}),
		sourceRefName: `refs/heads/${pull.headRef}`,
		targetRefName: `refs/heads/${pull.baseRef}`,
		mergeStatus: status === 'abandoned' ? 'notSet' : 'succeeded',
		isDraft: pull.draft,
		mergeId: guid(seed, repository.repo.id, pull.number, 0x3e6),
		lastMergeSourceCommit: commit(pull.headSha),
		lastMergeTargetCommit: commit(pull.baseSha),
		...(status === 'completed' && pull.mergeSha ? { lastMergeCommit: commit(pull.mergeSha) } : {}),
		reviewers: reviewers(model, base, store, pull.number).map((r) => ({ ...r, reviewerUrl: r.reviewerUrl!.replace('/REPO/', `/${repository.id}/`) })),
		url: `${repoUrl}/pullRequests/${pull.number}`,
		supportsIterations: true,
		artifactId: `vstfs:///Git/PullRequestId/${repository.project.id}%2f${repository.id}%2f${pull.number}`
	};
}

type ThreadKind = 'review' | 'comment' | 'vote';

interface ThreadDraft {
	kind: ThreadKind;
	published: number;
	updated: number;
	/** A stable order among threads published at once. */
	key: number;
	comments: Array<{ author: AzureIdentity; content: string; published: number; updated: number; parent: number; system: boolean }>;
	context: { filePath: string; line: number } | null;
	vote?: { value: number; by: AzureIdentity };
}

function drafts(model: AzureModel, store: PullStore, number: number): ThreadDraft[] {
	const threads: ThreadDraft[] = [];
	// Review comments: a reply joins its parent's thread.
	const threadOf = new Map<number, { thread: ThreadDraft; position: number }>();
	for (const comment of store.reviewComments(number)) {
		const parent = comment.inReplyTo === null ? undefined : threadOf.get(comment.inReplyTo);
		const entry = { author: model.identity(comment.user), content: comment.body, published: comment.created, updated: comment.updated, parent: parent?.position ?? 0, system: false };
		if (parent) {
			parent.thread.comments.push(entry);
			parent.thread.updated = Math.max(parent.thread.updated, comment.updated);
			threadOf.set(comment.id, { thread: parent.thread, position: parent.thread.comments.length });
			continue;
		}
		const thread: ThreadDraft = { kind: 'review', published: comment.created, updated: comment.updated, key: comment.id, comments: [entry], context: { filePath: `/${comment.path}`, line: comment.line } };
		threads.push(thread);
		threadOf.set(comment.id, { thread, position: 1 });
	}
	for (const comment of store.issueComments(number)) {
		threads.push({
			kind: 'comment',
			published: comment.created,
			updated: comment.updated,
			key: comment.id,
			comments: [{ author: model.identity(comment.user), content: comment.body, published: comment.created, updated: comment.updated, parent: 0, system: false }],
			context: null
		});
	}
	for (const review of store.reviews(number)) {
		const author = model.identity(review.user);
		const explicit = model.votes.has(review.id) || review.state !== 'COMMENTED';
		if (explicit) {
			const vote = voteOf(model, review);
			threads.push({
				kind: 'vote',
				published: review.submitted,
				updated: review.submitted,
				key: review.id,
				comments: [{ author, content: `${author.displayName} voted ${vote}`, published: review.submitted, updated: review.submitted, parent: 0, system: true }],
				context: null,
				vote: { value: vote, by: author }
			});
		} else if (review.body) {
			threads.push({
				kind: 'comment',
				published: review.submitted,
				updated: review.submitted,
				key: review.id,
				comments: [{ author, content: review.body, published: review.submitted, updated: review.submitted, parent: 0, system: false }],
				context: null
			});
		}
	}
	return threads.sort((a, b) => a.published - b.published || a.key - b.key);
}

/** Every thread of pull request `number`, oldest first, numbered from 1. */
export function threadsJson(origin: string, model: AzureModel, repository: AzureRepository, store: PullStore, number: number): AzThread[] {
	const base = orgUrl(origin, repository.project.organization);
	const prUrl = `${base}/${repository.project.id}/_apis/git/repositories/${repository.id}/pullRequests/${number}`;
	return drafts(model, store, number).map((draft, i) => {
		const id = i + 1;
		const url = `${prUrl}/threads/${id}`;
		const comments: AzComment[] = draft.comments.map((c, k) => ({
			id: k + 1,
			parentCommentId: c.parent,
			author: identityRef(base, c.author),
			content: c.content,
			publishedDate: time(c.published),
			lastUpdatedDate: time(c.updated),
			lastContentUpdatedDate: time(c.updated),
			commentType: c.system ? 'system' : 'text',
			_links: { self: { href: `${url}/comments/${k + 1}` } }
		}));
		const thread: AzThread = {
			id,
			publishedDate: time(draft.published),
			lastUpdatedDate: time(draft.updated),
			comments,
			threadContext: draft.context ? { filePath: draft.context.filePath, rightFileStart: { line: draft.context.line, offset: 1 }, rightFileEnd: { line: draft.context.line, offset: 1 } } : null,
			properties: {},
			identities: undefined,
			isDeleted: false,
			_links: { self: { href: url } }
		};
		if (draft.kind === 'vote') {
			thread.properties = {
				CodeReviewThreadType: { $type: 'System.String', $value: 'VoteUpdate' },
				CodeReviewVoteResult: { $type: 'System.String', $value: String(draft.vote!.value) },
				CodeReviewVotedByIdentity: { $type: 'System.String', $value: '1' }
			};
			thread.identities = { '1': identityRef(base, draft.vote!.by) };
		} else {
			thread.status = 'active';
			delete thread.identities;
		}
		return thread;
	});
}

export interface ThreadCounts {
	/** Threads on a file: the review comments. */
	reviewThreads: number;
	/** Text threads without a file: conversation comments and commenting reviews with words. */
	commentThreads: number;
	/** Reviewers whose vote is 10 or 5. */
	approvals: number;
	/** Reviewers whose vote is -5. */
	waitingForAuthor: number;
	/** Reviewers whose vote is -10. */
	rejections: number;
}

export function countThreads(model: AzureModel, store: PullStore): ThreadCounts {
	const counts: ThreadCounts = { reviewThreads: 0, commentThreads: 0, approvals: 0, waitingForAuthor: 0, rejections: 0 };
	for (let n = 1; n <= store.count; n++) {
		for (const draft of drafts(model, store, n)) {
			if (draft.kind === 'review') counts.reviewThreads++;
			else if (draft.kind === 'comment') counts.commentThreads++;
		}
		for (const reviewer of reviewers(model, '', store, n)) {
			if (reviewer.vote! >= 5) counts.approvals++;
			else if (reviewer.vote === -5) counts.waitingForAuthor++;
			else if (reviewer.vote === -10) counts.rejections++;
		}
	}
	return counts;
}
