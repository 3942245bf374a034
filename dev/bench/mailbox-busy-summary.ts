import type { SimulatorStatsSnapshot } from '../simulators/graph';

/** How busy the run kept its busiest mailbox, by the simulator's own accounting. */
export interface MailboxBusySummary {
  mailbox: string;
  admitted: number;
  /** Share of the time from its first request to the run's end with the concurrency limit (4) in flight. */
  shareAtLimit: number;
  /** Mean requests in flight over the same time. */
  meanInFlight: number;
  /** A place freed (once the mailbox reached its limit) to the next request admitted in it: how long it stood idle. */
  refillGapMs: { count: number; totalMs: number; mean: number; p50: number; p90: number; p99: number; max: number };
  /** Mean time the simulator held a request (the drawn latency plus its own work: reading the body, storing the message). */
  meanHeldMs: number;
  /** The mean message-create latency the model drew in this run (its ceiling is 4 ÷ this), beside the model's mean. */
  drawnCreateMeanMs: number | undefined;
  /** The simulator's own event-loop delay (a stall there lengthens every request it holds). */
  simulatorEventLoopDelayMs: SimulatorStatsSnapshot['eventLoopDelayMs'];
}

/** The busiest mailbox's figures from a simulator's stats, or undefined if no mailbox saw a request. */
export function summarizeBusiestMailbox(stats: SimulatorStatsSnapshot, limit = 4): MailboxBusySummary | undefined {
  const busiest = Object.entries(stats.mailboxes).sort(([, a], [, b]) => b.admitted - a.admitted)[0];
  if (busiest === undefined) return undefined;
  const [mailbox, activity] = busiest;
  const total = activity.msByInFlight.reduce((sum, ms) => sum + ms, 0);
  const gaps = [...activity.refillGapsMs].sort((a, b) => a - b);
  const gapTotal = gaps.reduce((sum, gap) => sum + gap, 0);
  const at = (q: number): number => gaps.length === 0 ? 0 : gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))] as number;
  const create = stats.latencyDrawn.messageCreate;
  return {
    mailbox,
    admitted: activity.admitted,
    shareAtLimit: total > 0 ? (activity.msByInFlight[limit] ?? 0) / total : 0,
    meanInFlight: activity.meanInFlight,
    meanHeldMs: activity.admitted === 0 ? 0 : activity.msByInFlight.reduce((sum, ms, n) => sum + n * ms, 0) / activity.admitted,
    refillGapMs: {
      count: gaps.length, totalMs: gapTotal, mean: gaps.length === 0 ? 0 : gapTotal / gaps.length,
      p50: at(0.5), p90: at(0.9), p99: at(0.99), max: gaps.at(-1) ?? 0,
    },
    simulatorEventLoopDelayMs: stats.eventLoopDelayMs,
    drawnCreateMeanMs: create === undefined || create.count === 0 ? undefined : create.totalMs / create.count,
  };
}
