// A text field that follows what the page loaded (a list's search after a navigation) without
// losing what a person is typing: live pages reload their data when other people's changes
// arrive, and an input bound straight to the load's value would be reset to it mid-word.
export function typedText(loaded: () => string) {
	let text = $state(loaded());
	let last = loaded();
	$effect.pre(() => {
		const now = loaded();
		if (now === last) return;
		last = now;
		text = now;
	});
	return {
		get value() {
			return text;
		},
		set value(value: string) {
			text = value;
		}
	};
}
