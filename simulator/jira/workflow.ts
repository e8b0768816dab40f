// What a Jira site is configured with, the same on Cloud and Data Center: statuses and their
// categories, the two workflows projects use, issue types, priorities and resolutions. Clients
// must read a project's own statuses: the release workflow has statuses the standard one lacks.

export type CategoryKey = 'new' | 'indeterminate' | 'done';

export interface StatusCategory {
	id: number;
	key: CategoryKey;
	colorName: string;
	name: string;
}

/** Jira's three status categories (ids as Jira numbers them; 1 is "No Category", never used). */
export const CATEGORIES: Record<CategoryKey, StatusCategory> = {
	new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
	indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
	done: { id: 3, key: 'done', colorName: 'green', name: 'Done' }
};

export interface Status {
	id: string;
	name: string;
	description: string;
	category: StatusCategory;
}

const status = (id: string, name: string, category: CategoryKey, description: string): Status => ({ id, name, description, category: CATEGORIES[category] });

export const STATUSES = {
	toDo: status('10000', 'To Do', 'new', 'Work that has not been started.'),
	inProgress: status('3', 'In Progress', 'indeterminate', 'This issue is being actively worked on at the moment by the assignee.'),
	inReview: status('10002', 'In Review', 'indeterminate', 'The work is done and waits for a review.'),
	done: status('10001', 'Done', 'done', 'Work that is finished.'),
	wontDo: status('10003', "Won't Do", 'done', 'Work that will not be done.'),
	blocked: status('10004', 'Blocked', 'indeterminate', 'Work that waits on something outside the team.'),
	released: status('10005', 'Released', 'done', 'Work that has shipped to customers.')
} as const;

export interface Workflow {
	name: string;
	/** In the order the board shows them; the first is where new issues start. */
	statuses: Status[];
}

export const STANDARD_WORKFLOW: Workflow = {
	name: 'Software Simplified Workflow',
	statuses: [STATUSES.toDo, STATUSES.inProgress, STATUSES.inReview, STATUSES.done, STATUSES.wontDo]
};

/** The operations project's: work can be blocked, and done work is released later. */
export const RELEASE_WORKFLOW: Workflow = {
	name: 'Release Workflow',
	statuses: [STATUSES.toDo, STATUSES.inProgress, STATUSES.blocked, STATUSES.inReview, STATUSES.done, STATUSES.released, STATUSES.wontDo]
};

export interface IssueType {
	id: string;
	name: string;
	description: string;
	subtask: boolean;
	/** Cloud's issue hierarchy: epics 1, standard types 0, sub-tasks -1. */
	hierarchyLevel: number;
	avatarId: number;
	/** Whether it carries story points (Cloud's "Story point estimate", Data Center's "Story Points"). */
	estimated: boolean;
}

export const ISSUE_TYPES = {
	epic: { id: '10000', name: 'Epic', description: 'A big user story that needs to be broken down.', subtask: false, hierarchyLevel: 1, avatarId: 10307, estimated: false },
	story: { id: '10001', name: 'Story', description: 'Functionality or a feature expressed as a user goal.', subtask: false, hierarchyLevel: 0, avatarId: 10315, estimated: true },
	task: { id: '10002', name: 'Task', description: 'A small, distinct piece of work.', subtask: false, hierarchyLevel: 0, avatarId: 10318, estimated: false },
	subtask: { id: '10003', name: 'Sub-task', description: 'A small piece of work that is part of a larger task.', subtask: true, hierarchyLevel: -1, avatarId: 10316, estimated: false },
	bug: { id: '10004', name: 'Bug', description: 'A problem or error.', subtask: false, hierarchyLevel: 0, avatarId: 10303, estimated: true }
} as const satisfies Record<string, IssueType>;

/** Every project offers these, in this order. */
export const PROJECT_ISSUE_TYPES: IssueType[] = [ISSUE_TYPES.story, ISSUE_TYPES.bug, ISSUE_TYPES.task, ISSUE_TYPES.epic, ISSUE_TYPES.subtask];

export interface Priority {
	id: string;
	name: string;
}

export const PRIORITIES: Priority[] = [
	{ id: '1', name: 'Highest' },
	{ id: '2', name: 'High' },
	{ id: '3', name: 'Medium' },
	{ id: '4', name: 'Low' },
	{ id: '5', name: 'Lowest' }
];

export interface Resolution {
	id: string;
	name: string;
	description: string;
}

export const RESOLUTIONS = {
	done: { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
	wontDo: { id: '10001', name: "Won't Do", description: 'This issue won’t be actioned.' }
} as const satisfies Record<string, Resolution>;

/** The resolution Jira sets on entering a done status (and clears on leaving the category). */
export function resolutionOf(s: Status): Resolution | null {
	if (s.category.key !== 'done') return null;
	return s === STATUSES.wontDo ? RESOLUTIONS.wontDo : RESOLUTIONS.done;
}
