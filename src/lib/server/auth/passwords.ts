// Passwords are hashed with argon2id (memory-hard), with @node-rs/argon2's defaults: 19 MiB,
// 2 passes, 1 lane, as OWASP recommends at least.
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id; the package's enum is a `const enum`, which isolated modules cannot import.
const argon2id = 2;

export function hashPassword(password: string): Promise<string> {
	return hash(password, { algorithm: argon2id });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// Verifying against this when the account does not exist keeps the answer as slow as for a real
// account, so timing does not tell which addresses have accounts.
let decoy: Promise<string> | undefined;
export async function verifyDecoy(password: string): Promise<void> {
	decoy ??= hashPassword('decoy password that matches nothing');
	await verifyPassword(await decoy, password);
}
