// The Manage Integrations levels (SPEC F1.1), each including the ones before it.
export const integrationsLevels = ['none', 'view', 'manage', 'delete'] as const;
export type IntegrationsLevel = (typeof integrationsLevels)[number];

export const levelLabels: Record<IntegrationsLevel, { label: string; explanation: string }> = {
	none: { label: 'None', explanation: 'Cannot open the integrations pages.' },
	view: { label: 'View', explanation: 'Sees every integrations page; changes nothing.' },
	manage: {
		label: 'Manage',
		explanation: 'Adds, edits, tests and updates integrations; toggles, exclusions, webhooks, URL templates.'
	},
	delete: {
		label: 'Delete',
		explanation: 'Everything Manage can do, plus deleting integrations and actions for all integrations.'
	}
};

export function atLeast(level: IntegrationsLevel, required: IntegrationsLevel): boolean {
	return integrationsLevels.indexOf(level) >= integrationsLevels.indexOf(required);
}
