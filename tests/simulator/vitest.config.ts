// The simulator's own tests: `vitest run --config tests/simulator/vitest.config.ts`. They need no
// Postgres, Temporal or build, so they run without the main config's global setup.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	root: path.resolve(import.meta.dirname, '../..'),
	test: {
		include: ['tests/simulator/**/*.test.ts'],
		pool: 'forks',
		testTimeout: 30_000,
		hookTimeout: 60_000
	}
});
