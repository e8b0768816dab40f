// Lint: TypeScript's type-aware rules (no floating promises anywhere), Svelte's rules, and the
// fences of the architecture: workflows stay deterministic (no Node built-ins, no database or
// network clients), web and worker meet only in core/, browsers load only core/domain.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
/** Server-side clients that have no place in browsers or workflows. */
const node = '^(pg|pg-copy-streams|kysely|socket\\.io|@temporalio/(client|worker|activity))(/|$)';
/** The web app's and the worker's own folders, and the simulator, which product code never imports. */
const notShared = '^#lib(/|$)|(^|/)(src|worker|web|simulator)/';

/**
 * One `no-restricted-imports` rule for a set of files (flat config: the last matching block wins, so the sets do not overlap).
 * @param {string[]} files
 * @param {string[]} ignores
 * @param {Array<{ regex: string; message: string; allowTypeImports?: boolean }>} patterns
 * @param {{ builtins?: boolean; builtinMessage?: string }} [options]
 * @returns {import('eslint').Linter.Config}
 */
function fence(files, ignores, patterns, { builtins = false, builtinMessage = 'This code runs in browsers or workflows too: no Node built-ins.' } = {}) {
	return {
		files,
		ignores,
		rules: {
			'no-restricted-imports': [
				/** @type {const} */ ('error'),
				{ paths: builtins ? nodeBuiltins.map((name) => ({ name, message: builtinMessage })) : [], patterns }
			]
		}
	};
}

export default ts.config(
	{ ignores: ['build/', '.svelte-kit/', '.data/', 'node_modules/', 'test-results/', 'playwright-report/'] },
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: {
			globals: { ...globals.node, ...globals.browser },
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				tsconfigRootDir: import.meta.dirname
			}
		},
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser } }
	},
	{
		files: ['**/*.js'],
		...ts.configs.disableTypeChecked
	},
	{
		files: ['migrations/**/*.ts'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' }
	},
	// The fences of the architecture (README "Layout"): web (src/, web/) and worker share core/ and
	// never import each other's folders; core/domain/ is what the browser may load too.
	fence(['core/domain/**/*.ts'], [], [
		{ regex: `^#core/(?!domain/)|${node}|${notShared}`, message: 'core/domain is loaded by browsers and workflows too: no Node, no database, no other core module.' }
	], { builtins: true }),
	fence(['core/**/*.ts'], ['core/domain/**'], [{ regex: notShared, message: 'core/ is shared by web and worker: it imports neither.' }]),
	fence(['worker/**/*.ts'], [], [{ regex: notShared, message: 'The worker reaches shared code through core/, never the web app.' }]),
	fence(['web/**/*.ts'], [], [{ regex: '(^|/)(worker|simulator)/', message: 'The web process never imports the worker or the simulator.' }]),
	fence(['src/lib/server/**/*.ts', 'src/**/*.server.ts', 'src/**/+server.ts'], [], [{ regex: '(^|/)(worker|simulator)/', message: 'The web app never imports the worker or the simulator: shared code lives in core/.' }]),
	fence(['src/**/*.ts', 'src/**/*.svelte'], ['src/lib/server/**', 'src/**/*.server.ts', 'src/**/+server.ts'], [
		{
			regex: `^#core/(?!domain/)|${node}|(^|/)(worker|simulator)/`,
			allowTypeImports: true,
			message: 'Browser code may load only core/domain: the rest of core/ is for the processes.'
		}
	]),
	fence(['workflows/**/*.ts'], ['workflows/**/contract.ts'], [
		{
			regex: `^(pg|kysely|socket\\.io|socket\\.io-client|@temporalio/(client|worker|activity))(/|$)|^#lib/server/|/src/lib/server/|^#core/(?!domain/)|(^|/)(core/(?!domain/)|worker/)`,
			allowTypeImports: true,
			message: 'Workflows never touch the database, the network or server modules: call an activity.'
		}
	], { builtins: true, builtinMessage: 'Workflows must be deterministic: do this in an activity.' })
);
