import { GraphError, badRequest } from './graph-error';
import { describeJsonType, isJsonObject, type JsonObject, type JsonValue } from './json-value';

/** Graph's limit on requests in one `$batch`. */
export const MAX_BATCH_REQUESTS = 20;

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** One request of a `$batch`, ready to run like a request of its own. */
export interface BatchStep {
  id: string;
  method: string;
  /** Below `/v1.0`, still percent-encoded, e.g. `/users/a%40b.com/mailFolders`. */
  path: string;
  query: URLSearchParams;
  body: JsonValue | undefined;
  /** Size of the body as JSON, which counts against the mailbox's upload budget. */
  bodyBytes: number;
  dependsOn: string[];
}

export interface BatchStepResult {
  status: number;
  headers?: Record<string, string>;
  body?: JsonObject;
}

/** Reads a `$batch` body, refusing what Graph refuses: too many requests, duplicate ids, unknown dependencies. */
export function parseBatch(body: JsonValue | undefined): BatchStep[] {
  if (!isJsonObject(body) || !Array.isArray(body.requests)) {
    throw badRequest("A $batch body is an object with a 'requests' array.");
  }
  const requests = body.requests;
  if (requests.length === 0) throw badRequest('A $batch needs at least one request.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw badRequest(`Number of batch request steps exceeds the maximum of ${MAX_BATCH_REQUESTS} (got ${requests.length}).`);
  }
  const steps = requests.map((raw, index) => parseStep(raw, index));
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) throw badRequest(`Batch request id '${step.id}' is used more than once.`);
    ids.add(step.id);
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (dependency === step.id) throw badRequest(`Batch request '${step.id}' depends on itself.`);
      if (!ids.has(dependency)) throw badRequest(`Batch request '${step.id}' depends on unknown request '${dependency}'.`);
    }
  }
  checkAcyclic(steps);
  return steps;
}

function parseStep(raw: JsonValue, index: number): BatchStep {
  const where = `requests[${index}]`;
  if (!isJsonObject(raw)) throw badRequest(`${where}: expected an object, found ${describeJsonType(raw)}.`);
  const { id, method, url, headers, body, dependsOn } = raw;
  for (const key of Object.keys(raw)) {
    if (!['id', 'method', 'url', 'headers', 'body', 'dependsOn'].includes(key)) throw badRequest(`${where}.${key}: unknown member.`);
  }
  if (typeof id !== 'string' || id === '') throw badRequest(`${where}.id: a non-empty string is required.`);
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) {
    throw badRequest(`${where}.method: expected one of ${[...METHODS].join(', ')}.`);
  }
  if (typeof url !== 'string' || url === '') throw badRequest(`${where}.url: a relative URL is required.`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw badRequest(`${where}.url: must be relative to the service root (like /users/{id}).`);
  const relative = url.replace(/^\/+/, '').replace(/^v1\.0\//, '');
  if (relative.startsWith('$batch')) throw badRequest(`${where}.url: a batch cannot contain another $batch.`);
  const queryAt = relative.indexOf('?');
  const path = `/${queryAt < 0 ? relative : relative.slice(0, queryAt)}`;
  const query = new URLSearchParams(queryAt < 0 ? '' : relative.slice(queryAt + 1));

  let contentType: string | undefined;
  if (headers !== undefined) {
    if (!isJsonObject(headers)) throw badRequest(`${where}.headers: expected an object of header names to values.`);
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') throw badRequest(`${where}.headers.${name}: expected a string.`);
      if (name.toLowerCase() === 'content-type') contentType = value;
    }
  }
  if (body !== undefined) {
    if (contentType === undefined) {
      throw badRequest(`Write request id : ${id} does not contain Content-Type header or body.`);
    }
    if (!/^application\/json\b/i.test(contentType)) {
      throw badRequest(`${where}: only application/json bodies are supported by the Graph simulator.`);
    }
  } else if (['POST', 'PUT', 'PATCH'].includes(method.toUpperCase())) {
    throw badRequest(`Write request id : ${id} does not contain Content-Type header or body.`);
  }

  let dependencies: string[] = [];
  if (dependsOn !== undefined) {
    if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === 'string')) {
      throw badRequest(`${where}.dependsOn: expected an array of request ids.`);
    }
    dependencies = dependsOn as string[];
  }
  return {
    id,
    method: method.toUpperCase(),
    path,
    query,
    body,
    bodyBytes: body === undefined ? 0 : Buffer.byteLength(JSON.stringify(body)),
    dependsOn: dependencies,
  };
}

function checkAcyclic(steps: BatchStep[]): void {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (step: BatchStep): void => {
    if (state.get(step.id) === 'done') return;
    if (state.get(step.id) === 'visiting') throw badRequest(`Batch requests form a dependency cycle through '${step.id}'.`);
    state.set(step.id, 'visiting');
    for (const dependency of step.dependsOn) visit(byId.get(dependency) as BatchStep);
    state.set(step.id, 'done');
  };
  steps.forEach(visit);
}

/**
 * Runs the steps: each starts once the steps it depends on have finished, independent ones at
 * the same time (so they compete for the mailbox's concurrency, as on Graph). A step whose
 * dependency failed answers 424 without running.
 */
export async function runBatch(
  steps: readonly BatchStep[],
  execute: (step: BatchStep) => Promise<BatchStepResult>,
): Promise<JsonObject> {
  const results = new Map<string, Promise<BatchStepResult>>();
  const run = (step: BatchStep): Promise<BatchStepResult> => {
    let pending = results.get(step.id);
    if (pending === undefined) {
      pending = (async () => {
        const dependencies = await Promise.all(
          step.dependsOn.map((d) => run(steps.find((s) => s.id === d) as BatchStep)),
        );
        const failed = step.dependsOn.find((_, i) => dependencies[i].status >= 400);
        if (failed !== undefined) {
          const error = new GraphError(424, 'FailedDependency', `Request '${step.id}' depends on request '${failed}', which failed.`);
          return { status: 424, body: { error: { code: error.code, message: error.message } } };
        }
        return execute(step);
      })();
      results.set(step.id, pending);
    }
    return pending;
  };
  const finished = await Promise.all(steps.map(run));
  const responses: JsonValue[] = [];
  for (const [index, step] of steps.entries()) {
    const result = finished[index];
    const headers: JsonObject = { ...(result.headers ?? {}) };
    if (result.body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    const response: JsonObject = { id: step.id, status: result.status, headers };
    if (result.body !== undefined) response.body = result.body;
    responses.push(response);
  }
  return { responses };
}
