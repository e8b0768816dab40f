// Generic Git's repositories are the URLs a person enters, one per line: each is checked (a
// scheme this server allows, no options in disguise, no credentials inside) and named.
import { readSettings, type Settings } from '#core/config.ts';
import { parseRepositoryUrl } from '#core/domain/integrations/git-url.ts';
import type { Check } from '../provider.ts';

const maxRepositoriesPerIntegration = 200;

export interface ParsedRepository {
	url: string;
	display: string;
	name: string;
}

export function parseUrls(input: string, settings: Settings = readSettings()): Check<ParsedRepository[]> {
	const lines = input.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
	if (lines.length === 0) return { ok: false, errors: { urls: 'Add at least one repository URL.' } };
	if (lines.length > maxRepositoriesPerIntegration) {
		return { ok: false, errors: { urls: `At most ${maxRepositoriesPerIntegration} repositories per integration.` } };
	}
	const problems: string[] = [];
	const repositories = new Map<string, ParsedRepository>();
	lines.forEach((line, index) => {
		const parsed = parseRepositoryUrl(line, settings.gitAllowedSchemes, settings.gitLocalRepositories);
		if (!parsed.ok) problems.push(`Line ${index + 1}: ${parsed.message}`);
		else repositories.set(parsed.url, { url: parsed.url, display: parsed.display, name: parsed.name });
	});
	if (problems.length > 0) return { ok: false, errors: { urls: problems.join(' ') } };
	return { ok: true, value: [...repositories.values()] };
}

