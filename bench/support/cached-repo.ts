// Generated repositories the benchmarks reuse across runs: a 200,000-commit repository takes
// minutes to generate, so each is made once into a cache outside the clone, keyed by the
// generator's parameters and its own source (a changed generator makes different commits).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateRepository, type GenerateOptions } from '../../scripts/generate-repo.ts';

const generatorSources = ['generate-repo.ts', 'seeded-random.ts'].map((file) => path.resolve(import.meta.dirname, '../../scripts', file));

export function benchCacheDir(): string {
	return process.env.TRIBUTARY_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'tributary', 'bench');
}

function cacheKey(options: GenerateOptions): string {
	const hash = createHash('sha256');
	for (const file of generatorSources) hash.update(readFileSync(file));
	const source = hash.digest('hex').slice(0, 10);
	return `repo-c${options.commits}-b${options.branches ?? 'd'}-t${options.tags ?? 'd'}-s${options.seed ?? 1}-${source}.git`;
}

/**
 * A bare generated repository for `options`, made now if the cache has none (and said so, with
 * how long it took). It is built under a temporary name and renamed into place, so an
 * interrupted generation is never mistaken for a finished one.
 */
export async function cachedRepository(options: Omit<GenerateOptions, 'bare'>, log: (line: string) => void): Promise<string> {
	const dir = path.join(benchCacheDir(), cacheKey(options));
	if (existsSync(path.join(dir, 'HEAD'))) return dir;
	const partial = `${dir}.partial-${process.pid}`;
	await mkdir(path.dirname(dir), { recursive: true });
	await rm(partial, { recursive: true, force: true });
	log(`generating ${options.commits.toLocaleString('en')} commits into ${dir} (once; later runs reuse it)…`);
	const started = performance.now();
	await generateRepository(partial, { ...options, bare: true });
	await rename(partial, dir);
	log(`generated ${options.commits.toLocaleString('en')} commits in ${((performance.now() - started) / 1000).toFixed(1)} s`);
	return dir;
}
