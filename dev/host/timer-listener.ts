import type { InvocationOutcome, ListenerContext, RegisteredFunction, TriggerListener } from './contracts';
import { FunctionNotFoundError, HostStartupError, MissingSettingError, toError } from './errors';
import { HOST_API_REASON } from './invoker';
import { NcrontabSchedule } from './ncrontab-schedule';
import { toScheduleStatusJson, type ScheduleStatus, type ScheduleStatusStore } from './schedule-status-store';

export interface TimerListenerOptions {
  /** Where monitored schedules keep their status; called once, only if a timer uses the monitor. */
  statusStore?: () => ScheduleStatusStore;
}

/** Timer input as the host sends it (the library camel-cases it for the handler). */
export interface TimerInput {
  Schedule: { AdjustForDST: boolean };
  ScheduleStatus: { Last: string; Next: string; LastUpdated: string } | null;
  IsPastDue: boolean;
}

interface TimerRun {
  /** The occurrence this run stands for. */
  occurrence: Date;
  isPastDue: boolean;
  reason?: string;
  triggerDetails?: string;
  /** Scheduled, past-due and start-up runs move the schedule status on; manual runs do not. */
  updatesStatus: boolean;
}

const ONE_MINUTE_MS = 60_000;
// setTimeout's limit; longer waits are done in steps.
const MAX_TIMEOUT_MS = 2_147_483_647;

/** One timer function: its schedule, its status and the one-at-a-time queue of its runs. */
class TimerSchedule {
  readonly schedule: NcrontabSchedule;
  readonly useMonitor: boolean;
  readonly runOnStartup: boolean;
  status: ScheduleStatus | undefined;
  pending = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  readonly store: ScheduleStatusStore | undefined;

  constructor(
    readonly fn: RegisteredFunction,
    readonly ctx: ListenerContext,
    store: (() => ScheduleStatusStore) | undefined,
  ) {
    const raw = fn.trigger['schedule'];
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw new HostStartupError(`Timer function '${fn.name}' has no schedule.`, { functionName: fn.name });
    }
    let expression: string;
    try {
      expression = ctx.resolveSettings(raw.trim());
    } catch (err) {
      if (err instanceof MissingSettingError) {
        throw new HostStartupError(`The schedule '${raw}' of timer function '${fn.name}' refers to app setting '${err.settingName}', which is not set.`, {
          functionName: fn.name,
          cause: err,
        });
      }
      throw err;
    }
    this.schedule = NcrontabSchedule.parse(expression, fn.name);
    this.runOnStartup = fn.trigger['runOnStartup'] === true;
    // The host's default: monitor schedules whose occurrences are at least a minute apart.
    const explicit = fn.trigger['useMonitor'];
    this.useMonitor = typeof explicit === 'boolean' ? explicit : this.schedule.intervalAfter(new Date()) >= ONE_MINUTE_MS;
    if (this.useMonitor) {
      if (!store) {
        throw new HostStartupError(`Timer function '${fn.name}' monitors its schedule but the host has no storage for schedule status.`, { functionName: fn.name });
      }
      this.store = store();
    }
  }

  get name(): string {
    return this.fn.name;
  }

  async start(): Promise<void> {
    const now = new Date();
    this.ctx.log.info(
      `The next 5 occurrences of the 'Functions.${this.name}' schedule (Cron: '${this.schedule.expression}') will be:\n` +
        upcoming(this.schedule, now, 5).map((d) => d.toISOString()).join('\n'),
    );
    let pastDue: Date | undefined;
    if (this.useMonitor) pastDue = await this.#checkPastDue(now);
    let startup: Promise<unknown> = Promise.resolve();
    if (pastDue) {
      startup = this.enqueue({
        occurrence: pastDue,
        isPastDue: true,
        triggerDetails: `UnscheduledInvocationReason: IsPastDue, OriginalSchedule: ${pastDue.toISOString()}`,
        updatesStatus: true,
      });
    } else if (this.runOnStartup) {
      startup = this.enqueue({ occurrence: now, isPastDue: false, triggerDetails: 'UnscheduledInvocationReason: RunOnStartup', updatesStatus: true });
    }
    // Like the host, the schedule only resumes once the start-up run is over.
    void startup.catch((err: unknown) => this.#runFailed(err)).finally(() => this.#arm());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#queue;
  }

  /** Queues a run behind any other run of this function. */
  enqueue(run: TimerRun): Promise<InvocationOutcome> {
    this.pending++;
    const result = this.#queue.then(() => this.#run(run));
    this.#queue = result.catch(() => undefined).finally(() => this.pending--);
    return result;
  }

  async #checkPastDue(now: Date): Promise<Date | undefined> {
    let status: ScheduleStatus | undefined;
    try {
      status = await this.store!.get(this.name);
    } catch (err) {
      throw new HostStartupError(`Timer function '${this.name}': cannot read its schedule status: ${toError(err).message}`, { functionName: this.name, cause: err });
    }
    if (!status) {
      this.status = { next: this.schedule.next(now), lastUpdated: now };
      await this.#saveStatus();
      return undefined;
    }
    // A schedule changed to run more often: the stored Next may lie beyond the new schedule's.
    if (status.last) {
      const expected = this.schedule.next(status.last);
      if (expected < status.next) {
        status = { ...status, next: expected, lastUpdated: now };
        this.status = status;
        await this.#saveStatus();
      }
    }
    this.status = status;
    return now > status.next ? status.next : undefined;
  }

  #arm(): void {
    if (this.#stopped) return;
    const now = new Date();
    const occurrence = this.schedule.next(now);
    this.#wait(occurrence);
  }

  #wait(occurrence: Date): void {
    if (this.#stopped) return;
    const delay = occurrence.getTime() - Date.now();
    if (delay > 0) {
      this.#timer = setTimeout(() => this.#wait(occurrence), Math.min(delay, MAX_TIMEOUT_MS));
      return;
    }
    void this.enqueue({ occurrence, isPastDue: false, updatesStatus: true })
      .catch((err: unknown) => this.#runFailed(err))
      .finally(() => this.#arm());
  }

  /** The invoker only rejects when it cannot run the function at all; a failing function is an outcome. */
  #runFailed(err: unknown): void {
    this.ctx.log.error(`Timer function '${this.name}' could not be run: ${toError(err).message}`);
  }

  async #run(run: TimerRun): Promise<InvocationOutcome> {
    const firedAt = new Date();
    const input: TimerInput = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: this.useMonitor && this.status ? toScheduleStatusJson(this.status) : null,
      IsPastDue: run.isPastDue,
    };
    const request = {
      functionName: this.name,
      triggerData: { json: JSON.stringify(input) },
      reason: run.reason ?? `Timer fired at ${firedAt.toISOString()}`,
      ...(run.triggerDetails ? { triggerDetails: run.triggerDetails } : {}),
    };
    const outcome = await this.ctx.invoker.invoke(request);
    if (run.updatesStatus && this.useMonitor) {
      const now = new Date();
      this.status = { last: run.occurrence, next: this.schedule.next(now > run.occurrence ? now : run.occurrence), lastUpdated: now };
      await this.#saveStatus();
    }
    return outcome;
  }

  async #saveStatus(): Promise<void> {
    if (!this.status) return;
    try {
      await this.store!.set(this.name, this.status);
    } catch (err) {
      this.ctx.log.warn(`Timer function '${this.name}': cannot save its schedule status: ${toError(err).message}`);
    }
  }
}

/**
 * The timer trigger: six-field NCRONTAB schedules in UTC, `%Setting%` schedules, `runOnStartup`,
 * and the schedule monitor that persists status in `azure-webjobs-hosts` so that an occurrence
 * missed while the host was down runs once at start with `IsPastDue: true`. A function never
 * runs twice at the same time; a run that overlaps the next occurrence skips it.
 */
export class TimerTriggerListener implements TriggerListener {
  readonly kind = 'timerTrigger';
  readonly #schedules = new Map<string, TimerSchedule>();
  /**
   * Functions whose schedule is bad (invalid, or naming a setting that is not set), by name. Like
   * the Functions host's indexing, such a function is in error and never runs; the others do.
   */
  readonly functionErrors = new Map<string, HostStartupError>();

  constructor(functions: RegisteredFunction[], ctx: ListenerContext, options: TimerListenerOptions = {}) {
    let store: ScheduleStatusStore | undefined;
    const statusStore = options.statusStore && ((): ScheduleStatusStore => (store ??= options.statusStore!()));
    for (const fn of functions) {
      try {
        this.#schedules.set(fn.name.toLowerCase(), new TimerSchedule(fn, ctx, statusStore));
      } catch (err) {
        if (!(err instanceof HostStartupError) || err.functionName === undefined) throw err;
        this.functionErrors.set(fn.name, err);
      }
    }
  }

  async start(): Promise<void> {
    try {
      for (const schedule of this.#schedules.values()) await schedule.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#schedules.values()].map((s) => s.stop()));
  }

  async isDrained(): Promise<boolean> {
    return [...this.#schedules.values()].every((s) => s.pending === 0);
  }

  /** Runs a timer function now, as the admin API does (after any run in progress). */
  fire(functionName: string): Promise<InvocationOutcome> {
    const schedule = this.#schedules.get(functionName.toLowerCase());
    if (!schedule) return Promise.reject(new FunctionNotFoundError(functionName));
    return schedule.enqueue({ occurrence: new Date(), isPastDue: false, reason: HOST_API_REASON, updatesStatus: false });
  }

  has(functionName: string): boolean {
    return this.#schedules.has(functionName.toLowerCase());
  }
}

function upcoming(schedule: NcrontabSchedule, from: Date, count: number): Date[] {
  const dates: Date[] = [];
  let cursor = from;
  for (let i = 0; i < count; i++) {
    cursor = schedule.next(cursor);
    dates.push(cursor);
  }
  return dates;
}
