// Builds a realistic git repository fast, for tests and benchmarks: `git fast-import` writes
// thousands of commits a second from a stream we generate. Same seed, same repository, same SHAs.
//
//   node scripts/generate-repo.ts <dir> [--commits 5000] [--branches 6] [--tags 40] [--seed 1] [--bare]
//
// It has branches merged back into main, lightweight and annotated tags, authors with non-ASCII
// names, a binary file, paths with spaces, tabs, quotes and backslashes, and subjects with tabs
// and backslashes: what the ingest must store exactly.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

export interface GenerateOptions {
	commits: number;
	/** Feature branches besides main. */
	branches?: number;
	tags?: number;
	seed?: number;
	bare?: boolean;
}

export interface GeneratedRepository {
	dir: string;
	commits: number;
	branches: string[];
	tags: string[];
}

const authors = [
	['Zoë Ångström', 'zoe@example.com'],
	['李雷', 'li.lei@example.cn'],
	['Иван Петров', 'ivan@example.ru'],
	['José Núñez', 'jose@example.es'],
	['Søren Ødegård', 'soren@example.dk'],
	['محمد علي', 'mohammed@example.eg'],
	['Łukasz Żółć', 'lukasz@example.pl'],
	['Ελένη Παπαδοπούλου', 'eleni@example.gr'],
	['山田太郎', 'taro@example.jp'],
	['Chloé Dubois', 'chloe@example.fr'],
	['Ana María O’Neill', 'ana@example.ie'],
	['build-bot', 'bot@example.com']
] as const;

const verbs = ['Fix', 'Add', 'Refactor', 'Speed up', 'Document', 'Test', 'Remove', 'Rename', 'Tidy', 'Handle'];
const nouns = ['parser', 'cache', 'login flow', 'API client', 'retry logic', 'build script', 'settings page', 'query planner', 'logger', 'exporter'];
const oddities = ['', '', '', '', ' (naïve café ☕)', ' in C:\\temp\\paths', '\twith a tab', ' — “quoted”', ' for 日本語 users'];
const specialPaths = ['docs/naïve café.md', 'src/tab\tname.txt', 'src/back\\slash.txt', 'src/quote"name.txt', 'src/spaces in name.ts'];
const binaryPath = 'assets/logo.bin';

type Random = SeededRandom;

/** fast-import's path syntax: C-style quotes whenever the path holds something special. */
function quotePath(p: string): string {
	if (!/["\\\t\n]/.test(p)) return p;
	return `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/\n/g, '\\n')}"`;
}

/** Writes the fast-import stream in large chunks, waiting whenever git falls behind. */
function streamWriter(stdin: Writable) {
	let buffer: Buffer[] = [];
	let size = 0;
	return {
		text(value: string) {
			const bytes = Buffer.from(value, 'utf8');
			buffer.push(bytes);
			size += bytes.length;
		},
		data(content: string) {
			const bytes = Buffer.from(content, 'utf8');
			this.text(`data ${bytes.length}\n`);
			buffer.push(bytes, Buffer.from('\n'));
			size += bytes.length + 1;
		},
		async flush(force = false) {
			if (size < 1 << 20 && !force) return;
			const chunk = Buffer.concat(buffer);
			buffer = [];
			size = 0;
			if (!stdin.write(chunk)) await new Promise((resolve) => stdin.once('drain', resolve));
		}
	};
}

function git(dir: string, args: string[]): string {
	return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
}

/** Runs `git fast-import` in `dir`, feeding it what `produce` writes. */
async function fastImport(dir: string, produce: (out: ReturnType<typeof streamWriter>) => Promise<void>): Promise<void> {
	const child = spawn('git', ['-C', dir, 'fast-import', '--quiet', '--date-format=raw', '--done'], { stdio: ['pipe', 'ignore', 'pipe'] });
	let stderr = '';
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const exited = new Promise<void>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed (${code}): ${stderr}`))));
	});
	// git may end before it has read everything (it failed, or a Ctrl-C reached the whole process
	// group): writing then fails with EPIPE, which must not crash this process; its exit says why.
	child.stdin.on('error', () => {});
	const feed = async () => {
		const out = streamWriter(child.stdin);
		await produce(out);
		out.text('done\n');
		await out.flush(true);
		child.stdin.end();
	};
	await Promise.all([Promise.race([feed(), exited]), exited]);
}

/**
 * A branch's files: contents by path, and the paths in a list to pick from at random (listing a
 * large tree's paths for every commit would make generating quadratic).
 */
class Tree {
	readonly #files: Map<string, string>;
	readonly #paths: string[];
	readonly #index: Map<string, number>;

	constructor(from?: Tree) {
		this.#files = new Map(from ? from.#files : []);
		this.#paths = from ? [...from.#paths] : [];
		this.#index = new Map(from ? from.#index : []);
	}

	get size(): number {
		return this.#files.size;
	}

	get(path: string): string | undefined {
		return this.#files.get(path);
	}

	set(path: string, content: string): void {
		if (!this.#files.has(path)) {
			this.#index.set(path, this.#paths.length);
			this.#paths.push(path);
		}
		this.#files.set(path, content);
	}

	delete(path: string): void {
		const at = this.#index.get(path);
		if (at === undefined) return;
		const last = this.#paths.pop()!;
		if (last !== path) {
			this.#paths[at] = last;
			this.#index.set(last, at);
		}
		this.#index.delete(path);
		this.#files.delete(path);
	}

	pick(rng: Random): string {
		return rng.pick(this.#paths);
	}

	entries(): IterableIterator<[string, string]> {
		return this.#files.entries();
	}
}

function line(rng: Random): string {
	const words = ['value', 'total', 'user', 'items', 'config', 'result', 'index', 'buffer'];
	return `const ${rng.pick(words)}${rng.int(0, 999)} = ${rng.pick(words)}(${rng.int(0, 99_999)});`;
}

function newFile(rng: Random): string {
	const lines: string[] = [];
	for (let i = rng.int(5, 30); i > 0; i--) lines.push(line(rng));
	return lines.join('\n') + '\n';
}

/** Replaces, inserts and deletes a few lines: real additions and deletions for numstat. */
function editFile(rng: Random, content: string): string {
	const lines = content.split('\n');
	lines.pop();
	for (let edits = rng.int(1, 4); edits > 0; edits--) {
		const at = rng.int(0, lines.length);
		const kind = rng.next();
		if (kind < 0.4 && lines.length > 0) lines[Math.min(at, lines.length - 1)] = line(rng);
		else if (kind < 0.75 || lines.length < 8) lines.splice(at, 0, ...Array.from({ length: rng.int(1, 5) }, () => line(rng)));
		else lines.splice(at, rng.int(1, 3));
	}
	// Keep files small, so the stream (and the repository) stays small.
	if (lines.length > 60) lines.splice(rng.int(0, 30), rng.int(5, 20));
	return lines.join('\n') + '\n';
}

function binaryContent(rng: Random): string {
	let bytes = 'PNG\0\u0001\u0002';
	for (let i = 0; i < 64; i++) bytes += String.fromCharCode(rng.int(0, 127));
	return bytes;
}

export async function generateRepository(dir: string, options: GenerateOptions): Promise<GeneratedRepository> {
	const total = options.commits;
	const featureCount = options.branches ?? Math.min(6, Math.max(1, Math.floor(total / 200)));
	const tagCount = options.tags ?? Math.min(50, Math.floor(total / 100));
	const rng = seededRandom(options.seed ?? 1);
	if (total < 1) throw new Error('A repository needs at least one commit.');

	mkdirSync(dir, { recursive: true });
	if (readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: give a new folder.`);
	git(dir, ['init', '--quiet', '--initial-branch=main', ...(options.bare ? ['--bare'] : [])]);

	const features = Array.from({ length: featureCount }, (_, i) => `feature-${i + 1}`);
	const trees = new Map<string, Tree>();
	const tips = new Map<string, number>();
	const touched = new Map<string, Set<string>>();
	const dueToMerge = new Map<string, number>();
	const tags: string[] = [];
	const tagAt = new Set(Array.from({ length: tagCount }, (_, k) => Math.floor(((k + 1) * total) / (tagCount + 1))));
	let time = 1_577_836_800;
	let mark = 0;

	await fastImport(dir, async (out) => {
		const header = (ref: string, subject: string, from: number | null) => {
			mark++;
			time += rng.int(60, 7_200);
			const [name, email] = rng.pick(authors);
			const zone = rng.pick(['+0000', '+0100', '-0500', '+0530', '+0900']);
			out.text(`commit ${ref}\nmark :${mark}\nauthor ${name} <${email}> ${time} ${zone}\n`);
			// Now and then someone else commits it later (a rebase, a merge button).
			const committer = rng.next() < 0.2 ? ['GitHub', 'noreply@github.com', time + rng.int(60, 86_400)] : [name, email, time];
			out.text(`committer ${committer[0]} <${committer[1]}> ${committer[2]} ${zone}\n`);
			out.data(`${subject}\n\nGenerated commit ${mark}.\n`);
			if (from !== null) out.text(`from :${from}\n`);
		};

		// The root commit: a handful of files on main, the starting point of every branch.
		const root = new Tree();
		for (let i = 0; i < 24; i++) root.set(`src/module${i % 6}/file${i}.ts`, newFile(rng));
		for (const p of specialPaths) root.set(p, newFile(rng));
		root.set(binaryPath, binaryContent(rng));
		header('refs/heads/main', 'Initial commit', null);
		for (const [p, content] of root.entries()) {
			out.text(`M 100644 inline ${quotePath(p)}\n`);
			out.data(content);
		}
		out.text('\n');
		trees.set('main', root);
		tips.set('main', mark);
		for (const feature of features) {
			out.text(`reset refs/heads/${feature}\nfrom :${mark}\n\n`);
			trees.set(feature, new Tree(root));
			tips.set(feature, mark);
			touched.set(feature, new Set());
			dueToMerge.set(feature, rng.int(5, 40));
		}

		for (let n = 2; n <= total; n++) {
			const branch = features.length > 0 && rng.next() < 0.5 ? rng.pick(features) : 'main';
			const tree = trees.get(branch)!;
			const ready = branch !== 'main' && touched.get(branch)!.size > 0 && dueToMerge.get(branch)! <= 0;

			if (ready) {
				// Merge the feature into main, taking its version of every file it changed.
				const mainTree = trees.get('main')!;
				header('refs/heads/main', `Merge branch '${branch}'`, tips.get('main')!);
				out.text(`merge :${tips.get(branch)}\n`);
				for (const p of touched.get(branch)!) {
					const content = tree.get(p);
					if (content === undefined) {
						out.text(`D ${quotePath(p)}\n`);
						mainTree.delete(p);
					} else {
						out.text(`M 100644 inline ${quotePath(p)}\n`);
						out.data(content);
						mainTree.set(p, content);
					}
				}
				out.text('\n');
				tips.set('main', mark);
				// The feature carries on from the merge.
				out.text(`reset refs/heads/${branch}\nfrom :${mark}\n\n`);
				trees.set(branch, new Tree(mainTree));
				tips.set(branch, mark);
				touched.set(branch, new Set());
				dueToMerge.set(branch, rng.int(5, 40));
			} else {
				const subject = `${rng.pick(verbs)} ${rng.pick(nouns)}${rng.pick(oddities)}`;
				header(`refs/heads/${branch}`, subject, tips.get(branch)!);
				const changes = rng.int(1, 6);
				for (let c = 0; c < changes; c++) {
					const roll = rng.next();
					let p: string;
					if (roll < 0.06 || tree.size < 10) {
						// Spread over a fixed tree of small folders, as in a real repository: no folder
						// grows long with the history, so a commit of a large history costs git what one
						// of a small history does.
						p = `src/module${rng.int(0, 9)}/area${rng.int(0, 15)}/part${rng.int(0, 15)}/new${mark}_${c}.ts`;
						tree.set(p, newFile(rng));
					} else if (roll < 0.08) {
						p = tree.pick(rng);
						if (p === binaryPath || specialPaths.includes(p)) continue;
						tree.delete(p);
						out.text(`D ${quotePath(p)}\n`);
						touched.get(branch)?.add(p);
						continue;
					} else if (roll < 0.1) {
						p = binaryPath;
						tree.set(p, binaryContent(rng));
					} else {
						p = tree.pick(rng);
						const current = tree.get(p);
						if (current === undefined) continue;
						tree.set(p, p === binaryPath ? binaryContent(rng) : editFile(rng, current));
					}
					out.text(`M 100644 inline ${quotePath(p)}\n`);
					out.data(tree.get(p)!);
					touched.get(branch)?.add(p);
				}
				out.text('\n');
				tips.set(branch, mark);
				if (branch !== 'main') dueToMerge.set(branch, dueToMerge.get(branch)! - 1);
			}

			if (tagAt.has(n)) {
				const name = `v${Math.floor(tags.length / 10) + 1}.${tags.length % 10}.0`;
				tags.push(name);
				if (tags.length % 2 === 0) {
					out.text(`reset refs/tags/${name}\nfrom :${mark}\n\n`);
				} else {
					const [tagger, email] = rng.pick(authors);
					out.text(`tag ${name}\nfrom :${mark}\ntagger ${tagger} <${email}> ${time + 60} +0000\n`);
					out.data(`Release ${name}\n`);
				}
			}
			await out.flush();
		}
	});

	git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
	if (!options.bare) git(dir, ['checkout', '--quiet', '--force', 'main']);
	return { dir, commits: total, branches: ['main', ...features], tags };
}

/**
 * Adds `commits` commits to `ref` (starting from `from`, by default the ref itself), each adding
 * one new file; returns the new tip. For "new commits arrive" and "a ref outside heads and tags".
 */
export async function appendCommits(dir: string, options: { ref?: string; from?: string; commits: number; seed?: number }): Promise<string> {
	const ref = options.ref ?? 'refs/heads/main';
	const rng = seededRandom(options.seed ?? 7);
	let time = Number(git(dir, ['log', '-1', '--format=%ct', options.from ?? ref])) + 60;
	await fastImport(dir, async (out) => {
		for (let i = 0; i < options.commits; i++) {
			const [name, email] = rng.pick(authors);
			time += rng.int(60, 600);
			out.text(`commit ${ref}\nauthor ${name} <${email}> ${time} +0000\ncommitter ${name} <${email}> ${time} +0000\n`);
			out.data(`Add later file ${i}\n`);
			if (i === 0) out.text(`from ${options.from ?? ref}^0\n`);
			out.text(`M 100644 inline later/${rng.int(0, 1e9)}-${i}.txt\n`);
			out.data(newFile(rng));
			out.text('\n');
			await out.flush();
		}
	});
	return git(dir, ['rev-parse', ref]);
}

if (import.meta.main) {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: {
			commits: { type: 'string', default: '5000' },
			branches: { type: 'string' },
			tags: { type: 'string' },
			seed: { type: 'string', default: '1' },
			bare: { type: 'boolean', default: false }
		}
	});
	const dir = positionals[0];
	if (!dir) {
		console.error('Usage: node scripts/generate-repo.ts <dir> [--commits 5000] [--branches 6] [--tags 40] [--seed 1] [--bare]');
		process.exit(2);
	}
	const started = performance.now();
	const repo = await generateRepository(path.resolve(dir), {
		commits: Number(values.commits),
		branches: values.branches === undefined ? undefined : Number(values.branches),
		tags: values.tags === undefined ? undefined : Number(values.tags),
		seed: Number(values.seed),
		bare: values.bare
	});
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	console.log(`${repo.dir}: ${repo.commits} commits, ${repo.branches.length} branches, ${repo.tags.length} tags in ${seconds} s`);
}
