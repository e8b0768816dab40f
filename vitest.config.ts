import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/simulator/**/*.test.ts'],
		// Temporal's native bridge does not survive worker threads.
		pool: 'forks',
		globalSetup: ['tests/support/global-setup.ts'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		// Each file gets its own database and task queue, so files may run side by side. Two at once
		// even on two cores (Vitest's default there is one): most of a file's time is spent waiting
		// on its processes, Temporal timers and rate-limit resets, not on the CPU.
		fileParallelism: true,
		maxWorkers: 2
	}
});
