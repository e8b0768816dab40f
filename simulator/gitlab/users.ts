// Users: `/user` (the token's user, a bot for a project access token) and
// `/personal_access_tokens/self` (the token itself), and the user GitLab embeds elsewhere.
import { GitLabError, hostOf, time, USER_SCOPES, type GitLabRequest, type GitLabRoute } from './http.ts';
import type { GitLabModel, GitLabUser } from './model.ts';
import type { CurrentUser, TokenSelf, UserRef } from './types.ts';

type Host = string;

export function userRef(host: Host, user: GitLabUser): UserRef {
	return {
		id: user.id,
		username: user.username,
		name: user.name,
		state: 'active',
		locked: false,
		avatar_url: `${host}/uploads/-/system/user/avatar/${user.id}/avatar.png`,
		web_url: `${host}/${user.username}`
	};
}

function currentUser(host: Host, model: GitLabModel, user: GitLabUser): CurrentUser {
	const worldUser = user.index === null ? null : model.world.users[user.index]!;
	const created = time(user.created);
	return {
		...userRef(host, user),
		locked: false,
		created_at: created,
		bio: '',
		bot: user.bot,
		location: null,
		public_email: null,
		skype: '',
		linkedin: '',
		twitter: '',
		discord: '',
		website_url: '',
		pronouns: null,
		organization: null,
		job_title: '',
		work_information: null,
		followers: 0,
		following: 0,
		local_time: null,
		is_followed: false,
		is_admin: false,
		last_sign_in_at: created,
		confirmed_at: created,
		last_activity_on: new Date().toISOString().slice(0, 10),
		email: worldUser?.email || `${user.username}@noreply.simulator.invalid`,
		theme_id: 1,
		color_scheme_id: 1,
		projects_limit: user.bot ? 0 : 100000,
		current_sign_in_at: created,
		note: null,
		identities: [],
		can_create_group: !user.bot,
		can_create_project: !user.bot,
		two_factor_enabled: !user.bot,
		external: false,
		private_profile: null,
		namespace_id: user.bot ? null : 70_000 + user.id,
		created_by: null
	};
}

/** The caller's user; anonymous callers have none. */
function callerOf(req: GitLabRequest) {
	if (!req.token) throw new GitLabError(401, { message: '401 Unauthorized' });
	return req.token;
}

export function userRoutes(model: GitLabModel): GitLabRoute[] {
	return [
		{
			path: '/user',
			kind: 'user.get',
			scopes: USER_SCOPES,
			handle: (req) => ({ body: currentUser(hostOf(req), model, callerOf(req).user) })
		},
		{
			path: '/personal_access_tokens/self',
			kind: 'personal_access_tokens.self',
			scopes: USER_SCOPES,
			handle: (req) => {
				const token = callerOf(req);
				const body: TokenSelf = {
					id: token.id,
					name: token.name,
					revoked: token.revoked,
					created_at: time(token.created),
					scopes: token.scopes,
					user_id: token.user.id,
					// This very request used it.
					last_used_at: time(Date.now()),
					active: true,
					expires_at: token.expiresAt,
					description: null
				};
				return { body };
			}
		}
	];
}
