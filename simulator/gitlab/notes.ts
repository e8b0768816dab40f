// A merge request's notes, read from the World's pull request: review comments are `DiffNote`s,
// conversation comments plain notes (`type: null`), approving and change-requesting reviews system
// notes, and a commenting review a `DiscussionNote` with its body.
import { time } from './http.ts';
import { userRef } from './users.ts';
import type { GitLabModel, Project } from './model.ts';
import type { CommentRecord, PullStore, ReviewCommentRecord } from '../github/pull-store.ts';
import type { Note } from './types.ts';

export type NoteKind = 'diff' | 'comment' | 'review' | 'approval' | 'changes-requested';

export interface NoteRecord {
	id: number;
	kind: NoteKind;
	body: string;
	/** A World user index; null for a deleted account. */
	author: number | null;
	created: number;
	updated: number;
	/** The review comment a `DiffNote` comes from: where in the diff it sits. */
	diff: ReviewCommentRecord | null;
}

/** GitLab's words for a review that is not a comment. */
const SYSTEM_BODIES = { approval: 'approved this merge request', 'changes-requested': 'requested changes' } as const;

/** A conversation comment as a plain note. */
export function commentNote(comment: CommentRecord): NoteRecord {
	return { id: comment.id, kind: 'comment', body: comment.body, author: comment.user, created: comment.created, updated: comment.updated, diff: null };
}

/** Every note of merge request `iid`, oldest first. */
export function noteRecords(store: PullStore, iid: number): NoteRecord[] {
	const records: NoteRecord[] = [
		...store.reviewComments(iid).map((c) => ({ id: c.id, kind: 'diff' as const, body: c.body, author: c.user, created: c.created, updated: c.updated, diff: c })),
		...store.issueComments(iid).map(commentNote)
	];
	for (const review of store.reviews(iid)) {
		const at = { id: review.id, author: review.user, created: review.submitted, updated: review.submitted, diff: null };
		if (review.state === 'APPROVED') records.push({ ...at, kind: 'approval', body: SYSTEM_BODIES.approval });
		else if (review.state === 'CHANGES_REQUESTED') records.push({ ...at, kind: 'changes-requested', body: SYSTEM_BODIES['changes-requested'] });
		// GitLab has no empty notes: a comment review without words leaves none.
		else if (review.body) records.push({ ...at, kind: 'review', body: review.body });
	}
	return records.sort((a, b) => a.created - b.created || a.id - b.id);
}

export function isSystem(kind: NoteKind): boolean {
	return kind === 'approval' || kind === 'changes-requested';
}

export function noteJson(host: string, model: GitLabModel, project: Project, store: PullStore, iid: number, note: NoteRecord): Note {
	const system = isSystem(note.kind);
	const resolvable = note.kind === 'diff' || note.kind === 'review';
	const facts = store.facts(iid);
	return {
		id: note.id,
		type: note.kind === 'diff' ? 'DiffNote' : note.kind === 'review' ? 'DiscussionNote' : null,
		body: note.body,
		attachment: null,
		author: userRef(host, model.author(note.author)),
		created_at: time(note.created),
		updated_at: time(note.updated),
		system,
		noteable_id: store.pullId(iid),
		noteable_type: 'MergeRequest',
		project_id: project.id,
		noteable_iid: iid,
		resolvable,
		...(resolvable ? { resolved: false, resolved_by: null, resolved_at: null } : {}),
		...(note.diff
			? {
					commit_id: note.diff.commitId,
					position: {
						base_sha: facts.baseSha,
						start_sha: facts.baseSha,
						head_sha: note.diff.commitId,
						old_path: note.diff.path,
						new_path: note.diff.path,
						position_type: 'text',
						old_line: null,
						new_line: note.diff.line
					}
				}
			: {}),
		confidential: false,
		internal: false,
		imported: false,
		imported_from: 'none'
	};
}

export interface NoteCounts {
	diffNotes: number;
	/** Neither system nor on the diff. */
	notes: number;
	approvals: number;
	changesRequested: number;
}

export function countNotes(store: PullStore): NoteCounts {
	const counts: NoteCounts = { diffNotes: 0, notes: 0, approvals: 0, changesRequested: 0 };
	for (let iid = 1; iid <= store.count; iid++) {
		for (const note of noteRecords(store, iid)) {
			if (note.kind === 'diff') counts.diffNotes++;
			else if (note.kind === 'approval') counts.approvals++;
			else if (note.kind === 'changes-requested') counts.changesRequested++;
			else counts.notes++;
		}
	}
	return counts;
}
