// SvelteKit 3 needs Node >= 22.17; say so plainly instead of failing somewhere deep.
export function requireNode(minimum = [22, 17]): void {
	const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
	const [needMajor = 0, needMinor = 0] = minimum;
	if (major > needMajor || (major === needMajor && minor >= needMinor)) return;
	console.error(
		`Tributary needs Node.js ${needMajor}.${needMinor} or later; this is ${process.version}.\n` +
			'Run it through npm (`npm start`, `npm test`): `npm install` brings Node 24 into node_modules/.bin, which npm scripts use first.'
	);
	process.exit(1);
}
