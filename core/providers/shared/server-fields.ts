// Form fields providers show alike: the CA that signed a self-hosted server's certificate, and
// whether git tags count as deployments.
import type { FormField } from '#core/domain/integrations/form-fields.ts';

export const caField: FormField = {
	name: 'caCertificate',
	label: 'CA certificate (optional)',
	type: 'textarea',
	rows: 4,
	maxLength: 100_000,
	placeholder: '-----BEGIN CERTIFICATE-----',
	help: 'For a server whose certificate is signed by your own CA (or self-signed): the CA’s PEM. Not a secret.'
};

export const tagsField: FormField = { name: 'deploymentsFromTags', label: 'Count git tags as deployments', type: 'checkbox', addOnly: true };
