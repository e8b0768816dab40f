// Where a workflow's time went, from its Temporal history: each activity from scheduled to
// completed. For detail lines only, so a missed target points at the step that missed it.
import { tsToMs } from '@temporalio/common/lib/time.js';
import { temporal } from '../../src/lib/server/runtime.ts';

export async function activityTimes(workflowId: string): Promise<Array<{ name: string; ms: number }>> {
	const history = await temporal().workflow.getHandle(workflowId).fetchHistory();
	const scheduled = new Map<string, { name: string; at: number }>();
	const times: Array<{ name: string; ms: number }> = [];
	for (const event of history.events ?? []) {
		const at = tsToMs(event.eventTime);
		if (event.activityTaskScheduledEventAttributes) {
			scheduled.set(String(event.eventId), { name: event.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
		}
		const completed = event.activityTaskCompletedEventAttributes;
		const start = completed && scheduled.get(String(completed.scheduledEventId));
		if (start) times.push({ name: start.name, ms: at - start.at });
	}
	return times;
}

export function describeTimes(times: Array<{ name: string; ms: number }>): string {
	const totals = new Map<string, { ms: number; count: number }>();
	for (const { name, ms } of times) {
		const entry = totals.get(name) ?? { ms: 0, count: 0 };
		entry.ms += ms;
		entry.count++;
		totals.set(name, entry);
	}
	return [...totals].map(([name, { ms, count }]) => `${name}${count > 1 ? `×${count}` : ''} ${(ms / 1000).toFixed(2)} s`).join(', ');
}
