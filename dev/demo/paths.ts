import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The repository root: the nearest folder above this module holding both host.json and
 * package.json. Found by walking up, so the compiled file (dist/dev/demo/…) and the source agree.
 */
export function repoRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'host.json')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No folder above ${from} holds host.json and package.json: is this the project's checkout?`);
  }
}

/** The bundled Contoso scenario. */
export function demoScenarioDir(root: string = repoRoot()): string {
  return path.join(root, 'dev', 'scenarios', 'demo');
}

/** Where the demo command keeps its state unless told otherwise. */
export function defaultDemoWorkdir(root: string = repoRoot()): string {
  return path.join(root, '.work', 'demo');
}

/** Where the run command keeps its state. */
export function defaultRunWorkdir(root: string = repoRoot()): string {
  return path.join(root, '.work', 'run');
}

/** The parts of a work folder: Azurite's data, the Graph simulator's data (the export) and the report. */
export interface WorkdirLayout {
  root: string;
  azurite: string;
  graph: string;
  report: string;
}

export function workdirLayout(workdir: string): WorkdirLayout {
  const root = path.resolve(workdir);
  return { root, azurite: path.join(root, 'azurite'), graph: path.join(root, 'graph'), report: path.join(root, 'report.json') };
}

/** `<graphDataDir>/mailboxes/<upn>/mailbox.json`, where the Graph simulator writes a user's mailbox. */
export function mailboxFile(graphDataDir: string, userPrincipalName: string): string {
  return path.join(graphDataDir, 'mailboxes', userPrincipalName, 'mailbox.json');
}
