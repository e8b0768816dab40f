// The key that encrypts credentials at rest. In production it comes from TRIBUTARY_SECRET_KEY;
// on embedded defaults a dev key is generated once into the data folder (never committed).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSecretKey } from '#core/crypto/credentials.ts';

export function devSecretKey(dataDir: string, say: (line: string) => void): string {
	const file = path.join(dataDir, 'secret.key');
	if (existsSync(file)) return readFileSync(file, 'utf8').trim();
	const key = generateSecretKey();
	writeFileSync(file, key, { mode: 0o600 });
	say(`generated a development encryption key in ${file} (set TRIBUTARY_SECRET_KEY in production)`);
	return key;
}
