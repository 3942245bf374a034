import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The outputs of infra/check.sh in .work/infra/: the compiled ARM template and one `bicep snapshot`
 * per parameter set in infra/params/ (the resources a deployment with those parameters would
 * create, conditions and loops evaluated; `reference()`, `environment()` and values known only at
 * deployment stay ARM expressions). Outputs older than the files under infra/ are refused, so a
 * test never passes on a template that has since changed.
 */

/** One resource of a snapshot: ARM JSON as the deployment would send it. */
export interface PredictedResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  location?: string;
  kind?: string;
  sku?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  identity?: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

export interface Snapshot {
  predictedResources: PredictedResource[];
  diagnostics: unknown[];
}

export interface ArmTemplate {
  parameters: Record<string, { type: string; defaultValue?: unknown; allowedValues?: unknown[] }>;
}

export interface CompiledTemplates {
  bicepVersion: string;
  main: ArmTemplate;
  /** By parameter set name (the .bicepparam file name without extension). */
  snapshots: Map<string, Snapshot>;
}

export type CompiledTemplatesResult = { kind: 'compiled'; templates: CompiledTemplates } | { kind: 'not-compiled'; reason: string };

/** Every file under infra/ except leftovers of an interrupted snapshot, sorted as `LC_ALL=C sort`. */
async function inputFiles(repoRoot: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(path.join(repoRoot, relative), { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && !entry.name.endsWith('.snapshot.json')) files.push(child);
    }
  };
  await walk('infra');
  return files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** The hash infra/check.sh computes (`inputs_hash`): the CLI version and `sha256sum` of each input. */
export async function inputsHash(repoRoot: string, bicepVersion: string): Promise<string> {
  let listing = `bicep ${bicepVersion}\n`;
  for (const file of await inputFiles(repoRoot)) {
    const digest = createHash('sha256')
      .update(await readFile(path.join(repoRoot, file)))
      .digest('hex');
    listing += `${digest}  ${file}\n`;
  }
  return createHash('sha256').update(listing).digest('hex');
}

export async function loadCompiledTemplates(repoRoot: string): Promise<CompiledTemplatesResult> {
  const outDir = path.join(repoRoot, '.work', 'infra');
  const checkFile = path.join(outDir, 'check.json');
  if (!existsSync(checkFile)) {
    return { kind: 'not-compiled', reason: 'infra/check.sh has not compiled the templates on this machine (.work/infra/check.json is missing)' };
  }
  const check = JSON.parse(await readFile(checkFile, 'utf8')) as { bicepVersion: string; inputsSha256: string };
  const current = await inputsHash(repoRoot, check.bicepVersion);
  if (current !== check.inputsSha256) {
    throw new Error('.work/infra/ was compiled from other files than those now under infra/: run bash infra/check.sh');
  }
  const main = JSON.parse(await readFile(path.join(outDir, 'main.json'), 'utf8')) as ArmTemplate;
  const snapshots = new Map<string, Snapshot>();
  for (const file of (await readdir(path.join(outDir, 'snapshots'))).sort()) {
    if (!file.endsWith('.json')) continue;
    snapshots.set(file.slice(0, -'.json'.length), JSON.parse(await readFile(path.join(outDir, 'snapshots', file), 'utf8')) as Snapshot);
  }
  return { kind: 'compiled', templates: { bicepVersion: check.bicepVersion, main, snapshots } };
}

/** Case-insensitive type match: ARM resource types are case-insensitive and snapshots keep the author's casing. */
export function isType(resource: PredictedResource, type: string): boolean {
  return resource.type.toLowerCase() === type.toLowerCase();
}

/** The resource ID a role assignment or other extension resource is scoped to. */
export function extensionScope(resource: PredictedResource): string {
  const expression = /^\[extensionResourceId\('([^']+)'/.exec(resource.id);
  if (expression) return expression[1]!;
  const marker = `/providers/${resource.type}/`;
  const at = resource.id.toLowerCase().lastIndexOf(marker.toLowerCase());
  if (at < 0) throw new Error(`${resource.id} is not an extension resource of type ${resource.type}`);
  return resource.id.slice(0, at);
}
