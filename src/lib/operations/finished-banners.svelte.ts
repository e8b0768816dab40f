// The banners a page shows for operations that ended while it was open: newest first, one per
// operation, a few at most, each dismissable.
import type { Operation } from '#core/domain/operations/operation.ts';

export interface FinishedBanner {
	id: string;
	kind: 'success' | 'error';
	title: string;
	message: string;
}

export function createFinishedBanners(describe: (operation: Operation) => { title: string; message: string }, keep = 4) {
	let banners = $state<FinishedBanner[]>([]);
	return {
		get list() {
			return banners;
		},
		add(operation: Operation) {
			const { title, message } = describe(operation);
			const kind: FinishedBanner['kind'] = operation.state === 'succeeded' ? 'success' : 'error';
			banners = [{ id: operation.id, kind, title, message }, ...banners.filter((b) => b.id !== operation.id)].slice(0, keep);
		},
		dismiss(id: string) {
			banners = banners.filter((b) => b.id !== id);
		}
	};
}
