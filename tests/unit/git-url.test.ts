import { describe, expect, it } from 'vitest';
import { parseRepositoryUrl } from '#core/domain/integrations/git-url.ts';

const network = ['https', 'ssh'];
const withFile = ['https', 'ssh', 'file'];

function accepted(input: string, schemes = network) {
	const result = parseRepositoryUrl(input, schemes);
	if (!result.ok) throw new Error(`Expected “${input}” to be accepted, got: ${result.message}`);
	return result;
}

function refused(input: string, schemes = network): string {
	const result = parseRepositoryUrl(input, schemes);
	if (result.ok) throw new Error(`Expected “${input}” to be refused, got ${result.url}`);
	return result.message;
}

describe('repository URLs people may enter', () => {
	it('accepts an HTTPS URL, with or without .git, and names the repository after its last segment', () => {
		expect(accepted('https://github.com/acme/api.git')).toEqual({
			ok: true,
			url: 'https://github.com/acme/api.git',
			display: 'https://github.com/acme/api.git',
			name: 'api'
		});
		expect(accepted('https://git.example.com/team/web-app')).toMatchObject({ url: 'https://git.example.com/team/web-app', name: 'web-app' });
	});

	it('normalizes case of scheme and host, default ports, trailing and repeated slashes, but keeps .git as typed', () => {
		expect(accepted('HTTPS://GitHub.COM:443//Acme/API.git/').url).toBe('https://github.com/Acme/API.git');
		expect(accepted('https://git.example.com:8443/a/b/').url).toBe('https://git.example.com:8443/a/b');
		expect(accepted('https://github.com/acme/api').url).not.toBe(accepted('https://github.com/acme/api.git').url);
	});

	it('trims the spaces a copy and paste brings along', () => {
		expect(accepted('  https://github.com/acme/api.git\n').url).toBe('https://github.com/acme/api.git');
	});

	it('drops an HTTPS user name from the stored URL: credentials go in the token fields', () => {
		const result = accepted('https://oauth2@gitlab.com/acme/api.git');
		expect(result.url).toBe('https://gitlab.com/acme/api.git');
		expect(result.display).toBe('https://gitlab.com/acme/api.git');
	});

	it('accepts ssh:// with a user and a port, keeping the user in the URL but not in what is displayed', () => {
		expect(accepted('ssh://git@git.example.com:2222/team/app.git')).toEqual({
			ok: true,
			url: 'ssh://git@git.example.com:2222/team/app.git',
			display: 'ssh://git.example.com:2222/team/app.git',
			name: 'app'
		});
		expect(accepted('ssh://git@Example.com:22/app.git').url).toBe('ssh://git@example.com/app.git');
		expect(accepted('ssh://example.com/srv/app').url).toBe('ssh://example.com/srv/app');
	});

	it('turns scp-like user@host:path into an ssh:// URL', () => {
		expect(accepted('git@github.com:acme/api.git')).toMatchObject({ url: 'ssh://git@github.com/acme/api.git', display: 'ssh://github.com/acme/api.git', name: 'api' });
		expect(accepted('deploy@GIT.example.com:/srv/git/app.git').url).toBe('ssh://deploy@git.example.com/srv/git/app.git');
		expect(accepted('git.example.com:team/app').url).toBe('ssh://git.example.com/team/app');
	});

	it('accepts file:// URLs and absolute local paths only where the server allows file', () => {
		expect(accepted('file:///srv/git/app.git', withFile)).toEqual({ ok: true, url: 'file:///srv/git/app.git', display: 'file:///srv/git/app.git', name: 'app' });
		expect(accepted('/srv/git/app/', withFile).url).toBe('file:///srv/git/app');
		expect(accepted('/work/main/.git', withFile)).toMatchObject({ url: 'file:///work/main/.git', name: 'main' });
		expect(accepted('/srv/git/./x/../app', withFile).url).toBe('file:///srv/git/app');
		expect(refused('file:///srv/git/app.git')).toMatch(/not allowed on this server.*https:\/\/, ssh:\/\//);
		expect(refused('/srv/git/app.git')).toMatch(/Local paths and file:\/\/ URLs are not allowed/);
	});

	it('accepts http:// only where the server allows it', () => {
		expect(refused('http://git.example.com/app.git')).toMatch(/unencrypted: use the https:\/\/ address/);
		expect(accepted('http://git.example.com/app.git', ['https', 'http']).url).toBe('http://git.example.com/app.git');
	});
});

describe('repository URLs that are refused, with a reason a person can act on', () => {
	it('refuses an empty URL', () => {
		expect(refused('')).toMatch(/Enter the URL/);
		expect(refused('   ')).toMatch(/Enter the URL/);
	});

	it('refuses spaces and control characters inside the URL', () => {
		expect(refused('https://github.com/acme/my repo.git')).toMatch(/cannot contain spaces/);
		expect(refused('https://github.com/acme/a\u0000b')).toMatch(/control characters/);
		expect(refused('https://github.com/acme/a\tb')).toMatch(/tabs/);
		expect(refused('https://github.com/acme/a\nb')).toMatch(/line breaks/);
	});

	it('refuses anything git could read as an option', () => {
		expect(refused('-oProxyCommand=touch /tmp/pwned')).toMatch(/cannot contain spaces/);
		expect(refused('-oProxyCommand=id')).toMatch(/cannot start with “-”/);
		expect(refused('--upload-pack=id')).toMatch(/cannot start with “-”/);
		expect(refused('ssh://-oProxyCommand=id/x')).toMatch(/not a valid server name/);
		expect(refused('ssh://-oProxyCommand=id@host/x')).toMatch(/user name .* is not valid/);
		expect(refused('git@host:-oProxyCommand=id')).toMatch(/cannot start with “-”/);
		expect(refused('-host:path')).toMatch(/cannot start with “-”/);
	});

	it('refuses transport::address forms, which run helper programs', () => {
		expect(refused('ext::sh -c touch% /tmp/pwned')).toMatch(/spaces/);
		expect(refused('ext::sh%20-c%20id')).toMatch(/“ext::” transport form is not allowed \(it would run commands/);
		expect(refused('fd::3')).toMatch(/“fd::” transport form/);
		expect(refused('https::github.com/acme/api')).toMatch(/“https::” transport form is not allowed/);
		expect(refused('persistent-https::foo')).toMatch(/transport form/);
	});

	it('refuses schemes the server does not allow, and says which are', () => {
		expect(refused('git://git.example.com/app.git')).toMatch(/git:\/\/ URLs are not allowed on this server\. This server allows https:\/\/, ssh:\/\/ URLs/);
		expect(refused('ftp://git.example.com/app.git')).toMatch(/does not read ftp:\/\//);
		expect(refused('git@github.com:acme/api.git', ['https'])).toMatch(/SSH addresses are not allowed.*https:\/\//);
		expect(refused('ssh://git@github.com/acme/api.git', ['https'])).toMatch(/ssh:\/\/ URLs are not allowed/);
	});

	it('refuses passwords in the URL and points to the token fields', () => {
		const message = refused('https://user:secret@github.com/acme/api.git');
		expect(message).toMatch(/contains a password.*credential fields/);
		expect(message).not.toContain('secret');
		expect(refused('https://user:p@ss@github.com/x')).toMatch(/password/);
		expect(refused('ssh://git:hunter2@host/x')).toMatch(/password/);
	});

	it('refuses relative paths, even where local paths are allowed', () => {
		for (const input of ['./app', '../app.git', 'repos/app', '~/app', 'app']) {
			expect(refused(input, withFile)).toMatch(/relative path|not a URL Tributary can read/);
		}
		expect(refused('file://host/srv/app', withFile)).toMatch(/three slashes/);
		expect(refused('file://relative', withFile)).toMatch(/three slashes/);
	});

	it('refuses a server without a repository path', () => {
		expect(refused('https://github.com')).toMatch(/no repository/);
		expect(refused('https://github.com/')).toMatch(/no repository/);
		expect(refused('git@github.com:')).toMatch(/no repository/);
		expect(refused('/', withFile)).toMatch(/does not name a repository/);
		expect(refused('/../..', withFile)).toMatch(/does not name a repository/);
	});

	it('refuses malformed hosts and ports', () => {
		expect(refused('https://exa mple.com/x')).toMatch(/spaces/);
		expect(refused('https://example.com:99999/x')).toMatch(/not a valid port/);
		expect(refused('https://example.com:abc/x')).toMatch(/not a valid port/);
		expect(refused('https:///x')).toMatch(/no server name/);
	});
});
