// Credentials at rest: AES-256-GCM with a key from the environment (TRIBUTARY_SECRET_KEY, 32
// bytes in base64; `npm start` generates a dev key into .data/). Each ciphertext is bound to its
// integration (additional authenticated data), so one row's secret cannot be pasted into another.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const version = 1;

function key(): Buffer {
	const encoded = process.env.TRIBUTARY_SECRET_KEY;
	if (!encoded) throw new Error('TRIBUTARY_SECRET_KEY is not set: credentials cannot be encrypted or read.');
	const bytes = Buffer.from(encoded, 'base64');
	if (bytes.length !== 32) throw new Error('TRIBUTARY_SECRET_KEY must be 32 bytes, base64-encoded.');
	return bytes;
}

export function generateSecretKey(): string {
	return randomBytes(32).toString('base64');
}

export function encryptCredentials(value: unknown, boundTo: string): Buffer {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key(), iv);
	cipher.setAAD(Buffer.from(boundTo));
	const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
	return Buffer.concat([Buffer.from([version]), iv, cipher.getAuthTag(), ciphertext]);
}

export function decryptCredentials<T>(sealed: Buffer, boundTo: string): T {
	if (sealed[0] !== version) throw new Error('Stored credentials are in an unknown format.');
	const decipher = createDecipheriv('aes-256-gcm', key(), sealed.subarray(1, 13));
	decipher.setAAD(Buffer.from(boundTo));
	decipher.setAuthTag(sealed.subarray(13, 29));
	const plain = Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
	return JSON.parse(plain.toString('utf8')) as T;
}

export const credentialsBinding = (integrationId: string) => `integration:${integrationId}`;
