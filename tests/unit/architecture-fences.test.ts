// The lint fences of the architecture: workflow code that reaches for Node, the database or server
// modules is refused before it can make a replay non-deterministic; web and worker meet only in
// core/; browser code loads only core/domain.
import { ESLint } from 'eslint';
import ts from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({
	// Type information is not needed for import rules, and a file that does not exist has none.
	overrideConfig: [{ files: ['**/*.ts'], ...ts.configs.disableTypeChecked }]
});

async function problems(code: string, filePath = 'workflows/example/workflow.ts'): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath });
	return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the workflows/** fence', () => {
	it.each([
		"import fs from 'node:fs';",
		"import { randomUUID } from 'crypto';",
		"import pg from 'pg';",
		"import { sql } from 'kysely';",
		"import { Client } from '@temporalio/client';",
		"import { database } from '#lib/server/runtime.ts';",
		"import { createActivities } from '../../worker/activities/index.ts';"
	])('refuses %s', async (line) => {
		expect(await problems(`${line}\nexport const x = 1;\n`)).toHaveLength(1);
	});

	it('allows the workflow SDK and type-only imports of activities', async () => {
		const code = [
			"import { proxyActivities } from '@temporalio/workflow';",
			"import type { createActivities } from '../../worker/activities/index.ts';",
			'export const a = proxyActivities<ReturnType<typeof createActivities>>({ startToCloseTimeout: 1000 });'
		].join('\n');
		expect(await problems(code)).toEqual([]);
	});

	it('refuses core modules other than core/domain, except as types', async () => {
		expect(await problems("import { database } from '#core/db/connect.ts';\nexport const x = database;\n")).toHaveLength(1);
		expect(await problems("import type { Settings } from '#core/config.ts';\nexport type X = Settings;\n")).toEqual([]);
		expect(await problems("import { integrationScope } from '#core/domain/integrations/integration.ts';\nexport const x = integrationScope;\n")).toEqual([]);
	});

	it('leaves Node built-ins to the processes', async () => {
		expect(await problems("import fs from 'node:fs';\nexport const x = fs;\n", 'worker/example.ts')).toEqual([]);
		expect(await problems("import fs from 'node:fs';\nexport const x = fs;\n", 'core/git/example.ts')).toEqual([]);
	});
});

const line = (code: string) => `${code}\nexport const x = 1;\n`;

describe('web and worker meet only in core/', () => {
	it.each([
		['worker/activities/example.ts', "import { database } from '#lib/server/runtime.ts';"],
		['worker/activities/example.ts', "import { GET } from '../../src/routes/health/+server.ts';"],
		['core/git/example.ts', "import { database } from '#lib/server/runtime.ts';"],
		['core/git/example.ts', "import { createActivities } from '../../worker/activities/index.ts';"],
		['core/providers/example.ts', "import { startSimulator } from '../../simulator/launch.ts';"],
		['src/lib/server/example.ts', "import { createActivities } from '../../../worker/activities/index.ts';"],
		['src/routes/example/+page.server.ts', "import { startSimulator } from '../../../simulator/launch.ts';"],
		['web/example.ts', "import { createActivities } from '../worker/activities/index.ts';"]
	])('%s refuses %s', async (filePath, code) => {
		expect(await problems(line(code), filePath)).toHaveLength(1);
	});

	it.each([
		['worker/activities/example.ts', "import { readSettings } from '#core/config.ts';"],
		['src/lib/server/example.ts', "import { readSettings } from '#core/config.ts';"],
		['src/routes/example/+page.server.ts', "import { getIntegration } from '#core/integrations/queries.ts';"],
		['src/routes/example/+server.ts', "import { getIntegration } from '#core/integrations/queries.ts';"]
	])('%s may import %s', async (filePath, code) => {
		expect(await problems(line(code), filePath)).toEqual([]);
	});
});

describe('browsers load only core/domain', () => {
	it.each([
		"import { database } from '#core/db/connect.ts';",
		"import { readSettings } from '#core/config.ts';",
		"import pg from 'pg';",
		"import { database } from '#lib/server/runtime.ts';".replace('#lib/server/runtime.ts', '../../worker/index.ts')
	])('src/lib/example.ts refuses %s', async (code) => {
		expect(await problems(line(code), 'src/lib/example.ts')).toHaveLength(1);
	});

	it('allows core/domain and types from elsewhere', async () => {
		expect(await problems(line("import { can } from '#core/domain/accounts/permissions.ts';"), 'src/lib/example.ts')).toEqual([]);
		expect(await problems(line("import type { Settings } from '#core/config.ts';"), 'src/lib/example.ts')).toEqual([]);
	});

	it.each(["import fs from 'node:fs';", "import { readSettings } from '#core/config.ts';", "import { Kysely } from 'kysely';"])(
		'core/domain refuses %s',
		async (code) => {
			expect(await problems(line(code), 'core/domain/example.ts')).toHaveLength(1);
		}
	);
});
