import type { DirectoryUser } from '../scenario/directory-users';
import type { GraphLimits, LatencyOptions, SimulatorStatsSnapshot } from '../simulators/graph';

/** Messages from the bench to its Graph simulator process. */
export type SimulatorCommand =
  | { type: 'start'; users: DirectoryUser[]; dataDir: string; limits: GraphLimits; latency?: boolean | LatencyOptions }
  | { type: 'stop' };

/** Messages from the Graph simulator process back to the bench. */
export type SimulatorReply =
  | { type: 'started'; url: string; origin: string; requestLogFile: string }
  | { type: 'stopped'; stats: SimulatorStatsSnapshot }
  | { type: 'error'; message: string };
