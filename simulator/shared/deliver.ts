// One webhook delivery over HTTP: POST the body, wait (at most 10 s) for the receiver's answer,
// and say how it went. Both providers' webhooks record this outcome per delivery.

export interface DeliveryOutcome {
	deliveredAt: string;
	/** The receiver's status code; null when it could not be reached. */
	statusCode: number | null;
	error: string | null;
	durationMs: number;
}

export async function post(url: string, headers: Record<string, string>, body: string): Promise<DeliveryOutcome> {
	const deliveredAt = new Date().toISOString();
	const started = performance.now();
	let statusCode: number | null = null;
	let error: string | null = null;
	try {
		const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
		statusCode = response.status;
		await response.arrayBuffer();
	} catch (cause) {
		error = cause instanceof Error ? cause.message : String(cause);
	}
	return { deliveredAt, statusCode, error, durationMs: Math.round(performance.now() - started) };
}
