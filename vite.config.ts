// SvelteKit 3 takes its options here (it refuses a svelte.config.js), so this file is both the
// Vite config and the SvelteKit config.
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { realtimeDevPlugin } from './web/realtime-dev-plugin.ts';

export default defineConfig({
	plugins: [
		sveltekit({
			adapter: adapter({ out: 'build', precompress: false }),
			// CSRF: form actions keep SvelteKit's origin check (the default); nothing here disables it.
			compilerOptions: { runes: true }
		}),
		realtimeDevPlugin()
	],
	server: { port: Number(process.env.PORT ?? 5173), strictPort: true }
});
