// What differs between the two views of the simulated Jira: where each lives, its REST version,
// the story points field (Jira Software's on Cloud, a plain number field on Data Center), how it
// names people, and the time zone its profiles use.
import type { Provider } from '../shared/faults.ts';
import { CLOUD_PREFIX, DC_PREFIX } from './model.ts';
import type { JiraUser } from './people.ts';

export type FlavourName = 'cloud' | 'dc';

export interface CustomField {
	id: string;
	name: string;
	/** `schema.custom`. */
	custom: string;
	customId: number;
	type: 'number' | 'array';
	items?: string;
	/** JQL's names for it. */
	clauseNames: string[];
	searcherKey: string;
}

export interface Flavour {
	name: FlavourName;
	provider: Extract<Provider, 'jira-cloud' | 'jira-dc'>;
	/** `/jira-cloud`: the site's base URL is the origin and this. */
	prefix: string;
	/** The REST versions it serves (`3` on Cloud, `2` and `latest` on Data Center); the first is the one answers name. */
	apiVersions: string[];
	storyPoints: CustomField;
	sprint: CustomField;
	zone(user: JiraUser): string;
}

export const CLOUD: Flavour = {
	name: 'cloud',
	provider: 'jira-cloud',
	prefix: CLOUD_PREFIX,
	apiVersions: ['3'],
	storyPoints: {
		id: 'customfield_10016',
		name: 'Story point estimate',
		custom: 'com.pyxis.greenhopper.jira:jsw-story-points',
		customId: 10016,
		type: 'number',
		clauseNames: ['cf[10016]', 'Story point estimate', 'Story point estimate[Number]'],
		searcherKey: 'com.atlassian.jira.plugin.system.customfieldtypes:exactnumber'
	},
	sprint: {
		id: 'customfield_10020',
		name: 'Sprint',
		custom: 'com.pyxis.greenhopper.jira:gh-sprint',
		customId: 10020,
		type: 'array',
		items: 'json',
		clauseNames: ['cf[10020]', 'Sprint', 'Sprint[Dropdown]'],
		searcherKey: 'com.pyxis.greenhopper.jira:gh-sprint-searcher'
	},
	zone: (user) => user.timeZone.cloud
};

export const DATA_CENTER: Flavour = {
	name: 'dc',
	provider: 'jira-dc',
	prefix: DC_PREFIX,
	apiVersions: ['2', 'latest'],
	storyPoints: {
		id: 'customfield_10002',
		name: 'Story Points',
		custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float',
		customId: 10002,
		type: 'number',
		clauseNames: ['cf[10002]', 'Story Points'],
		searcherKey: 'com.atlassian.jira.plugin.system.customfieldtypes:exactnumber'
	},
	sprint: {
		id: 'customfield_10000',
		name: 'Sprint',
		custom: 'com.pyxis.greenhopper.jira:gh-sprint',
		customId: 10000,
		type: 'array',
		items: 'string',
		clauseNames: ['cf[10000]', 'Sprint'],
		searcherKey: 'com.pyxis.greenhopper.jira:gh-sprint-searcher'
	},
	zone: (user) => user.timeZone.dc
};

export const FLAVOURS: Record<FlavourName, Flavour> = { cloud: CLOUD, dc: DATA_CENTER };
