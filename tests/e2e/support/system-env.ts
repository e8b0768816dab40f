// What the e2e system is told beyond `npm start`'s defaults: given to `node scripts/start.ts` by
// playwright.config.ts, and to the second web process (second-web.ts), so both web processes
// follow the same rules.
export const e2eSystemEnv = {
	LOG_LEVEL: 'warn',
	// The integrations test adds a local repository; a server allows none unless told. The
	// simulated Bitbucket Cloud is served over plain HTTP (its kind takes no CA).
	TRIBUTARY_GIT_SCHEMES: 'https,ssh,file,http'
} as const;
