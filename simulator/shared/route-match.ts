// Path templates for the routes of both APIs and the control API: `:name` matches one segment
// (digits only when the name is `number` or ends in `id`), `:name+` one or more segments (GitLab's
// full paths, `acme/platform/worker`). Parameters come back decoded.

export function compile(template: string): (path: string) => Record<string, string> | null {
	const names: string[] = [];
	const source = template.replace(/:([a-z_]+)(\+?)/gi, (_, name: string, many: string) => {
		names.push(name);
		if (many) return '(.+?)';
		// Numbers are digits, so `/pulls/comments` is never read as pull request "comments".
		return name === 'number' || name.endsWith('id') ? '(\\d+)' : '([^/]+)';
	});
	const regex = new RegExp(`^${source}/?$`);
	return (path) => {
		const match = regex.exec(path);
		if (!match) return null;
		try {
			return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
		} catch {
			// A malformed escape (`%E0%A4%A`) names nothing we serve.
			return null;
		}
	};
}
