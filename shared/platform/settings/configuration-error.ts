/** A setting is missing or wrong. Raised once, at start-up, naming every setting at fault. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  readonly problems: readonly SettingProblem[];

  constructor(problems: readonly SettingProblem[]) {
    super(
      `Invalid configuration: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p.setting}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

export interface SettingProblem {
  setting: string;
  message: string;
}
