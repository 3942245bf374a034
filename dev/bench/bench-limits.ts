import type { GraphLimits } from '../simulators/graph';

/** Graph's per-mailbox request budget as a steady rate: 10,000 per 10 minutes. */
export const REQUESTS_PER_SECOND_BUDGET = 10_000 / 600;

/** Exchange Online's per-mailbox limits, which the simulator enforces in every bench run. */
export const REAL_LIMITS: Required<GraphLimits> = {
  concurrentPerMailbox: 4,
  requestsPer10Min: 10_000,
  uploadBytesPer5Min: 150 * 1024 * 1024,
};
