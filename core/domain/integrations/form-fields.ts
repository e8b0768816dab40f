// One field of a provider's add and edit form, as data: the provider declares its fields, the
// page renders them (labels, help, which authentication methods show them), and the provider
// reads what comes back. Browsers load this file; it holds no behaviour.
import type { AuthMethod } from './providers.ts';

export interface FormField {
	/** The form field's name, as the provider reads it. */
	name: string;
	label: string;
	type: 'text' | 'url' | 'password' | 'textarea' | 'checkbox';
	help?: string;
	placeholder?: string;
	/** Shown only for these authentication methods; always when absent. */
	authMethods?: AuthMethod[];
	/** Never sent back to the page; left empty when editing, the stored one is kept. */
	secret?: boolean;
	/** Only on the add form (what is edited elsewhere afterwards, like Generic Git's URLs). */
	addOnly?: boolean;
	required?: boolean;
	maxLength?: number;
	rows?: number;
}
