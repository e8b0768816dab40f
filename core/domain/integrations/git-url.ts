// Repository URLs for Generic Git integrations: what a person may type, and the one normalized
// form Tributary stores. Pure (no Node built-ins): the add form validates with it in the browser
// and the server validates again with it before anything reaches git.
//
// Normalization rule, used for "the same repository cannot be added twice":
// - scheme and host are lower-cased; a default port (443, 80, 22) is dropped;
// - trailing slashes are dropped, and so are `.` segments and repeated slashes in the path;
// - `.git` is kept exactly as typed: on a plain git server `/srv/app` and `/srv/app.git` can be
//   two different repositories, so Tributary does not guess that they are one;
// - an HTTPS user name is dropped (credentials go in the token fields), an SSH user name is kept
//   (it is part of the address: `git@`);
// - scp-like `user@host:path` becomes `ssh://user@host/path`, and an absolute local path becomes
//   `file:///path`.

export type ParsedRepositoryUrl =
	| { ok: true; url: string; display: string; name: string }
	| { ok: false; message: string };

const defaultPorts: Record<string, string> = { https: '443', http: '80', ssh: '22', git: '9418' };
const networkSchemes = ['https', 'http', 'ssh', 'git'];

// A host name (labels never starting with `-`, so nothing can pass for an ssh option), an IPv4
// address, or a bracketed IPv6 address.
const hostPattern = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?|\[[0-9a-f:.]+\])$/i;
const userPattern = /^[a-z0-9._~+%][a-z0-9._~+%-]*$/i;

function refuse(message: string): ParsedRepositoryUrl {
	return { ok: false, message };
}

function describeAllowed(allowedSchemes: string[]): string {
	const names = allowedSchemes.map((s) => (s === 'file' ? 'local paths (file://)' : `${s}://`));
	if (names.length === 0) return 'This server allows no repository URLs at all.';
	return `This server allows ${names.join(', ')} URLs${allowedSchemes.includes('ssh') ? ' and user@host:path' : ''}.`;
}

/** Collapses `//` and `/./`, resolves `..`, and drops trailing slashes; null if `..` climbs above the root. */
function normalizePath(path: string): string | null {
	const segments: string[] = [];
	for (const segment of path.split('/')) {
		if (segment === '' || segment === '.') continue;
		if (segment === '..') {
			if (segments.length === 0) return null;
			segments.pop();
			continue;
		}
		segments.push(segment);
	}
	return '/' + segments.join('/');
}

function repositoryName(path: string): string {
	const segments = path.split('/').filter(Boolean);
	let last = segments.pop() ?? '';
	// `/work/app/.git` names the repository `app`, not the empty string.
	if (last === '.git') last = segments.pop() ?? '';
	return last.replace(/\.git$/, '') || last;
}

function networkUrl(scheme: string, user: string | null, host: string, port: string | null, path: string): ParsedRepositoryUrl {
	const normalizedPath = normalizePath(path);
	if (normalizedPath === null || normalizedPath === '/') {
		return refuse('The URL names a server but no repository: add the repository path, for example https://git.example.com/team/app.git.');
	}
	const hostPort = host.toLowerCase() + (port && port !== defaultPorts[scheme] ? `:${port}` : '');
	const keepUser = scheme === 'ssh' && user ? `${user}@` : '';
	return {
		ok: true,
		url: `${scheme}://${keepUser}${hostPort}${normalizedPath}`,
		display: `${scheme}://${hostPort}${normalizedPath}`,
		name: repositoryName(normalizedPath)
	};
}

function parseSchemeUrl(scheme: string, rest: string, allowedSchemes: string[], localRepositories: readonly string[]): ParsedRepositoryUrl {
	if (scheme === 'file') {
		if (!rest.startsWith('/')) {
			return refuse('A file:// URL must name a local absolute path, like file:///srv/git/app.git (three slashes).');
		}
		return localPath(rest, allowedSchemes, localRepositories);
	}
	if (!networkSchemes.includes(scheme)) {
		return refuse(`Tributary does not read ${scheme}:// URLs. ${describeAllowed(allowedSchemes)}`);
	}
	if (!allowedSchemes.includes(scheme)) {
		if (scheme === 'http') {
			return refuse('Plain http:// sends your code, and any token, unencrypted: use the https:// address of the repository.');
		}
		return refuse(`${scheme}:// URLs are not allowed on this server. ${describeAllowed(allowedSchemes)}`);
	}
	const match = /^(?:([^/]*)@)?(\[[^\]/]*\]|[^:/]*)(?::([^/]*))?(\/.*)?$/.exec(rest);
	if (!match) return refuse('The URL could not be read: check it against the clone URL your git server shows.');
	const [, userinfo, host = '', port, path = ''] = match;
	let user: string | null = null;
	if (userinfo !== undefined) {
		const colon = userinfo.indexOf(':');
		if (colon >= 0) {
			return refuse('The URL contains a password: remove it from the URL and put the user name and token in the credential fields instead, where they are stored encrypted.');
		}
		if (!userPattern.test(userinfo)) return refuse(`The user name “${userinfo}” in the URL is not valid.`);
		user = userinfo;
	}
	if (!host) return refuse('The URL has no server name: it should look like https://git.example.com/team/app.git.');
	if (!hostPattern.test(host)) return refuse(`“${host}” is not a valid server name.`);
	if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
		return refuse(`“${port}” is not a valid port number.`);
	}
	return networkUrl(scheme, user, host, port ?? null, path);
}

function localPath(path: string, allowedSchemes: string[], localRepositories: readonly string[]): ParsedRepositoryUrl {
	const normalized = normalizePath(path);
	// Without `file`, only the few repositories the server lists (the demo integration's own).
	const listed = normalized !== null && localRepositories.some((repository) => normalizePath(repository) === normalized);
	if (!allowedSchemes.includes('file') && !listed) {
		return refuse(`Local paths and file:// URLs are not allowed on this server. ${describeAllowed(allowedSchemes)}`);
	}
	if (normalized === null || normalized === '/') return refuse('That path does not name a repository: give the absolute path of its folder.');
	return { ok: true, url: `file://${normalized}`, display: `file://${normalized}`, name: repositoryName(normalized) };
}

/** `localRepositories`: absolute paths allowed even where `file` is not (TRIBUTARY_GIT_LOCAL_REPOS). */
export function parseRepositoryUrl(input: string, allowedSchemes: string[], localRepositories: readonly string[] = []): ParsedRepositoryUrl {
	// Surrounding spaces come from copy and paste; anything inside the URL is refused below.
	const text = input.trim();
	const schemes = allowedSchemes.map((s) => s.toLowerCase());
	if (!text) return refuse('Enter the URL of the repository, as shown by its “Clone” button.');
	// eslint-disable-next-line no-control-regex
	if (/[\s\u0000-\u001f\u007f]/.test(text)) return refuse('A repository URL cannot contain spaces, tabs, line breaks or other control characters.');
	if (text.startsWith('-')) return refuse('A repository URL cannot start with “-”: git would read it as an option.');

	// Git's `<transport>::<address>` form runs helper programs (`ext::` runs any command): never.
	const transport = /^([a-z0-9][a-z0-9+.-]*)::/i.exec(text);
	if (transport) {
		const name = transport[1]!.toLowerCase();
		const why = name === 'ext' || name === 'fd' ? ' (it would run commands on the Tributary server)' : '';
		return refuse(`Git's “${name}::” transport form is not allowed${why}. ${describeAllowed(schemes)}`);
	}

	const withScheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
	if (withScheme) return parseSchemeUrl(withScheme[1]!.toLowerCase(), withScheme[2]!, schemes, localRepositories);

	if (text.startsWith('/')) return localPath(text, schemes, localRepositories);

	// scp-like `[user@]host:path`: git reads it so when no slash comes before the first colon.
	const scp = /^(?:([^@/:]+)@)?([^@/:]+|\[[^\]/]+\]):(.*)$/.exec(text);
	if (scp) {
		const [, user, host = '', path = ''] = scp;
		if (!schemes.includes('ssh')) return refuse(`SSH addresses are not allowed on this server. ${describeAllowed(schemes)}`);
		if (user !== undefined && !userPattern.test(user)) return refuse(`The user name “${user}” in the address is not valid.`);
		if (!hostPattern.test(host)) return refuse(`“${host}” is not a valid server name.`);
		if (path.startsWith('-')) return refuse('A repository path cannot start with “-”: git would read it as an option.');
		if (!path || path === '/') return refuse('The address names a server but no repository: it should look like git@git.example.com:team/app.git.');
		return networkUrl('ssh', user ?? null, host, null, path.startsWith('/') ? path : `/${path}`);
	}

	if (text.startsWith('.') || text.startsWith('~') || text.includes('/')) {
		return refuse(`“${text}” is a relative path: use the repository's full URL${schemes.includes('file') ? ', or its absolute local path' : ''}. ${describeAllowed(schemes)}`);
	}
	return refuse(`“${text}” is not a URL Tributary can read: use the full address, like https://git.example.com/team/app.git${schemes.includes('file') ? ', or an absolute local path' : ''}. ${describeAllowed(schemes)}`);
}
