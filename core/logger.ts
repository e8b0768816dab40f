// Structured logs. Anything that could hold a secret is redacted by key before it is written.
import pino from 'pino';

export const redactedKeys = ['password', 'token', 'secret', 'authorization', 'cookie', 'privateKey', 'credentials'];

export function createLogger(name: string) {
	return pino({
		name,
		level: process.env.LOG_LEVEL ?? 'info',
		redact: { paths: redactedKeys.flatMap((key) => [key, `*.${key}`]), censor: '[redacted]' }
	});
}

export type Logger = ReturnType<typeof createLogger>;
