// Azure Boards process templates as the simulator serves them: Agile and Scrum, each work item
// type with its states in order, their colours and state categories (what a client maps states
// by), the reasons a transition records, and the fields the simulator keeps. Inherited processes
// allow any transition between a type's states, so the simulator does too.

/** The state categories the REST API names (`WorkItemStateColor.category`). */
export type StateCategory = 'Proposed' | 'InProgress' | 'Resolved' | 'Completed' | 'Removed';

export interface StateDef {
	name: string;
	color: string;
	category: StateCategory;
}

export type ProcessName = 'Agile' | 'Scrum';

export interface WorkItemTypeDef {
	name: string;
	referenceName: string;
	description: string;
	color: string;
	icon: string;
	/** In workflow order; the first is where a new work item starts. */
	states: StateDef[];
	/** `Microsoft.VSTS.Scheduling.StoryPoints` or `…Effort`, when the type has one. */
	estimate: string | null;
	/** How often generation picks it (relative). */
	weight: number;
}

export interface ProcessTemplate {
	name: ProcessName;
	/** The process's GUID (the system processes' own). */
	typeId: string;
	types: WorkItemTypeDef[];
	/** The reason recorded with a move into a state; `Moved to state X` otherwise. */
	reasons: Record<string, string>;
	/** The reason of a work item's first revision, by type. */
	newReason: (type: WorkItemTypeDef) => string;
}

export const STORY_POINTS = 'Microsoft.VSTS.Scheduling.StoryPoints';
export const EFFORT = 'Microsoft.VSTS.Scheduling.Effort';

const state = (name: string, color: string, category: StateCategory): StateDef => ({ name, color, category });
const NEW = state('New', 'b2b2b2', 'Proposed');
const ACTIVE = state('Active', '007acc', 'InProgress');
const RESOLVED = state('Resolved', 'ff9d00', 'Resolved');
const CLOSED = state('Closed', '339933', 'Completed');
const REMOVED = state('Removed', 'ffffff', 'Removed');
const APPROVED = state('Approved', '5688e0', 'Proposed');
const COMMITTED = state('Committed', '007acc', 'InProgress');
const DONE = state('Done', '339933', 'Completed');
const TO_DO = state('To Do', 'b2b2b2', 'Proposed');
const IN_PROGRESS = state('In Progress', '007acc', 'InProgress');

function type(name: string, color: string, icon: string, description: string, states: StateDef[], estimate: string | null, weight: number): WorkItemTypeDef {
	return { name, referenceName: `Microsoft.VSTS.WorkItemTypes.${name.replace(/\s+/g, '')}`, description, color, icon, states, estimate, weight };
}

const EPIC_DESCRIPTION = 'Epics help teams effectively manage and groom their product backlog';
const FEATURE_DESCRIPTION = 'Tracks a feature that will be released with the product';

export const AGILE: ProcessTemplate = {
	name: 'Agile',
	typeId: 'adcc42ab-9882-485e-a3ed-7678f01f66bc',
	types: [
		type('User Story', '009ccc', 'icon_book', 'Tracks an activity the user will be able to perform with the product', [NEW, ACTIVE, RESOLVED, CLOSED, REMOVED], STORY_POINTS, 35),
		type('Bug', 'cc293d', 'icon_insect', 'Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.', [NEW, ACTIVE, RESOLVED, CLOSED], STORY_POINTS, 20),
		type('Task', 'f2cb1d', 'icon_clipboard', 'Tracks work that needs to be done.', [NEW, ACTIVE, CLOSED, REMOVED], null, 32),
		type('Feature', '773b93', 'icon_trophy', FEATURE_DESCRIPTION, [NEW, ACTIVE, RESOLVED, CLOSED, REMOVED], EFFORT, 9),
		type('Epic', 'ff7b00', 'icon_crown', EPIC_DESCRIPTION, [NEW, ACTIVE, RESOLVED, CLOSED, REMOVED], EFFORT, 4)
	],
	reasons: { New: 'Implementation halted', Active: 'Implementation started', Resolved: 'Code complete and unit tests pass', Closed: 'Acceptance tests pass', Removed: 'Removed from the backlog' },
	newReason: () => 'New'
};

export const SCRUM: ProcessTemplate = {
	name: 'Scrum',
	typeId: '6b724908-ef14-45cf-84f8-768b5384da45',
	types: [
		type('Product Backlog Item', '009ccc', 'icon_list', 'Tracks an activity the user will be able to perform with the product', [NEW, APPROVED, COMMITTED, DONE, REMOVED], EFFORT, 35),
		type('Bug', 'cc293d', 'icon_insect', 'Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.', [NEW, APPROVED, COMMITTED, DONE, REMOVED], EFFORT, 20),
		type('Task', 'f2cb1d', 'icon_clipboard', 'Tracks work that needs to be done.', [TO_DO, IN_PROGRESS, DONE, REMOVED], null, 32),
		type('Feature', '773b93', 'icon_trophy', FEATURE_DESCRIPTION, [NEW, IN_PROGRESS, DONE, REMOVED], EFFORT, 9),
		type('Epic', 'ff7b00', 'icon_crown', EPIC_DESCRIPTION, [NEW, IN_PROGRESS, DONE, REMOVED], EFFORT, 4)
	],
	reasons: {
		New: 'Reconsidering backlog item',
		Approved: 'Approved by the Product Owner',
		Committed: 'Commitment made by the team',
		'In Progress': 'Work started',
		'To Do': 'Work stopped',
		Done: 'Work finished',
		Removed: 'Removed from the backlog'
	},
	newReason: (t) => (t.name === 'Task' ? 'New task' : t.name === 'Bug' ? 'New defect reported' : 'New backlog item')
};

export const PROCESSES: Record<ProcessName, ProcessTemplate> = { Agile: AGILE, Scrum: SCRUM };

/** The reason a move from `from` to `to` records (moving back out of a done state is a reactivation). */
export function reasonOf(process: ProcessTemplate, from: StateDef, to: StateDef): string {
	const done = (s: StateDef) => s.category === 'Completed' || s.category === 'Resolved' || s.category === 'Removed';
	if (done(from) && !done(to)) return 'Reactivated';
	return process.reasons[to.name] ?? `Moved to state ${to.name}`;
}

/** What a field holds: how the simulator stores, compares and writes it. */
export type FieldKind = 'integer' | 'double' | 'string' | 'treePath' | 'dateTime' | 'identity';

export interface FieldDef {
	referenceName: string;
	name: string;
	kind: FieldKind;
	/** Sent without being asked for (everything but `System.Rev`). */
	default: boolean;
}

const field = (referenceName: string, name: string, kind: FieldKind, isDefault = true): FieldDef => ({ referenceName, name, kind, default: isDefault });

/** Every field a simulated work item may hold, in the order answers list them. */
export const FIELDS: FieldDef[] = [
	field('System.Id', 'ID', 'integer'),
	field('System.AreaPath', 'Area Path', 'treePath'),
	field('System.TeamProject', 'Team Project', 'string'),
	field('System.IterationPath', 'Iteration Path', 'treePath'),
	field('System.WorkItemType', 'Work Item Type', 'string'),
	field('System.State', 'State', 'string'),
	field('System.Reason', 'Reason', 'string'),
	field('System.AssignedTo', 'Assigned To', 'identity'),
	field('System.CreatedDate', 'Created Date', 'dateTime'),
	field('System.CreatedBy', 'Created By', 'identity'),
	field('System.ChangedDate', 'Changed Date', 'dateTime'),
	field('System.ChangedBy', 'Changed By', 'identity'),
	field('System.Title', 'Title', 'string'),
	field('Microsoft.VSTS.Common.StateChangeDate', 'State Change Date', 'dateTime'),
	field('Microsoft.VSTS.Common.ResolvedDate', 'Resolved Date', 'dateTime'),
	field('Microsoft.VSTS.Common.ClosedDate', 'Closed Date', 'dateTime'),
	field('Microsoft.VSTS.Common.Priority', 'Priority', 'integer'),
	field(STORY_POINTS, 'Story Points', 'double'),
	field(EFFORT, 'Effort', 'double'),
	field('System.Rev', 'Rev', 'integer', false)
];

const BY_NAME = new Map(FIELDS.map((f) => [f.referenceName.toLowerCase(), f]));

/** A field by reference name (any case). */
export function fieldDef(referenceName: string): FieldDef | undefined {
	return BY_NAME.get(referenceName.toLowerCase());
}

/** The fields a type has (what `workitemtypes` lists). */
export function fieldsOfType(process: ProcessTemplate, t: WorkItemTypeDef): FieldDef[] {
	return FIELDS.filter((f) => {
		if (f.referenceName === STORY_POINTS || f.referenceName === EFFORT) return t.estimate === f.referenceName;
		if (f.referenceName === 'Microsoft.VSTS.Common.ResolvedDate') return process.name === 'Agile' && t.states.some((s) => s.category === 'Resolved');
		return true;
	});
}
