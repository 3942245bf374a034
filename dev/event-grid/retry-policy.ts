/**
 * Event Grid's delivery rules for a webhook (learn.microsoft.com/azure/event-grid/delivery-and-retry):
 * a 200-204 answer is delivered; 400, 401, 403 and 413 are not retried (dead-lettered at once);
 * anything else, or no answer within 30 s, is retried on the schedule below until
 * maxDeliveryAttempts (1-30, default 30) or the event's time to live (default 1440 min) runs out.
 */
export const RETRY_SCHEDULE_MS = [10_000, 30_000, 60_000, 5 * 60_000, 10 * 60_000, 30 * 60_000, 60 * 60_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000];
export const DELIVERY_TIMEOUT_MS = 30_000;
const NOT_RETRIED = new Set([400, 401, 403, 413]);

export type DeliveryVerdict = 'delivered' | 'retry' | 'dead-letter';

export function verdictFor(status: number | undefined): DeliveryVerdict {
  if (status !== undefined && status >= 200 && status <= 204) return 'delivered';
  if (status !== undefined && NOT_RETRIED.has(status)) return 'dead-letter';
  return 'retry';
}

/** The wait before attempt `failedAttempts + 1`, scaled (a test runs the schedule at 1/1000). */
export function retryDelayMs(failedAttempts: number, scale: number): number {
  const step = RETRY_SCHEDULE_MS[Math.min(failedAttempts - 1, RETRY_SCHEDULE_MS.length - 1)]!;
  return Math.round(step * scale);
}
