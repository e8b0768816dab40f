// The lint fence around workflows/**: workflow code that reaches for Node, the database or server
// modules is refused before it can make a replay non-deterministic.
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

	it('leaves other folders alone', async () => {
		expect(await problems("import fs from 'node:fs';\nexport const x = fs;\n", 'worker/example.ts')).toEqual([]);
	});
});
