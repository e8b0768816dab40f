// Lint: TypeScript's type-aware rules (no floating promises anywhere), Svelte's rules, and a
// fence around workflows/**: workflow code must stay deterministic, so no Node built-ins, no
// database or network clients, no server modules (type-only imports are fine).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

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
	{
		files: ['workflows/**/*.ts'],
		ignores: ['workflows/**/contract.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must be deterministic: do this in an activity.' })),
					patterns: [
						{
							regex: '^(pg|kysely|socket\\.io|socket\\.io-client|@temporalio/(client|worker|activity))(/|$)|^#lib/server/|/src/lib/server/|(^|/)worker/',
							allowTypeImports: true,
							message: 'Workflows never touch the database, the network or server modules: call an activity.'
						}
					]
				}
			]
		}
	}
);
