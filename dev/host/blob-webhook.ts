/**
 * The blob extension's Event Grid webhook (`POST /runtime/webhooks/blobs?functionName=...`), as
 * the storage extension 5.x answers it (Storage.Blobs `BlobsExtensionConfigProvider.ConvertAsync`
 * and `ProcessEventsAsync`, with the shared `HttpRequestProcessor`):
 * - `aeg-event-type: SubscriptionValidation`: 200 `{"validationResponse": <data.validationCode>}`
 *   (the first event of an array, or a CloudEvent whose `data` is JSON);
 * - `aeg-event-type: Notification`: each event (an array, or one object) becomes a blob trigger
 *   message `{Type, FunctionId, BlobType, ContainerName, BlobName, ETag}` on the host's blob
 *   trigger queue, FunctionId being the `functionName` query value as given; 202. The function
 *   runs later, from that queue, so its failures never reach Event Grid;
 * - `aeg-event-type: Unsubscribe`: 202; any other or no `aeg-event-type`: 400;
 * - a body that is not JSON, or an event without `data.url`/`data.eTag`/`data.blobType`: the
 *   extension throws, and the host answers 500 (Event Grid retries it).
 */

export interface BlobTriggerMessage {
  Type: 'BlobTrigger';
  FunctionId: string;
  BlobType: string;
  ContainerName: string;
  BlobName: string;
  ETag: string;
}

export interface WebhookAnswer {
  status: number;
  body?: unknown;
}

/** Thrown for what makes the real extension throw (the host's answer is then 500). */
export class WebhookProcessingError extends Error {
  override readonly name = 'WebhookProcessingError';
}

export async function answerBlobWebhook(
  eventTypeHeader: string | undefined,
  functionName: string | null,
  body: string,
  enqueue: (messages: BlobTriggerMessage[]) => Promise<void>,
): Promise<WebhookAnswer> {
  const eventType = (eventTypeHeader ?? '').toLowerCase();
  if (eventType === 'subscriptionvalidation') {
    const parsed = parseJson(body);
    let data: unknown;
    if (Array.isArray(parsed)) data = (parsed[0] as { data?: unknown } | undefined)?.data;
    else if (isObject(parsed)) data = typeof parsed.data === 'string' ? parseJson(parsed.data) : parsed.data;
    else throw new WebhookProcessingError(`The request content should be a JSON object or array, but was ${typeName(parsed)}.`);
    const code = isObject(data) ? data.validationCode : undefined;
    if (code === undefined || code === null) throw new WebhookProcessingError('The validation event has no data.validationCode.');
    return { status: 200, body: { validationResponse: String(code) } };
  }
  if (eventType === 'notification') {
    const parsed = parseJson(body);
    const events = Array.isArray(parsed) ? parsed : isObject(parsed) ? [parsed] : undefined;
    if (!events) throw new WebhookProcessingError(`The request content should be a JSON object or array, but was ${typeName(parsed)}.`);
    // Built first, sent after: a bad event fails the whole request before anything is queued
    // (the extension queues event by event; Event Grid sends one event per request here).
    const messages = events.map((event, i) => toMessage(event, functionName, i));
    await enqueue(messages);
    return { status: 202 };
  }
  if (eventType === 'unsubscribe') return { status: 202 };
  return { status: 400 };
}

function toMessage(event: unknown, functionName: string | null, index: number): BlobTriggerMessage {
  const data = isObject(event) && isObject(event.data) ? event.data : undefined;
  const field = (name: string): string => {
    const value = data?.[name];
    if (value === undefined || value === null) throw new WebhookProcessingError(`Event ${index} has no data.${name}.`);
    return String(value);
  };
  const url = new URL(field('url'));
  // Path-style (Azurite, http://127.0.0.1:10000/<account>/<container>/<blob>) or host-style URLs.
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const pathStyle = /^\d+\.\d+\.\d+\.\d+$|^localhost$/i.test(url.hostname) || url.port !== '';
  const [container, ...blob] = pathStyle ? parts.slice(1) : parts;
  if (!container || blob.length === 0) throw new WebhookProcessingError(`Event ${index}: data.url "${url.href}" names no blob.`);
  return {
    Type: 'BlobTrigger',
    FunctionId: functionName ?? '',
    BlobType: `${field('blobType').replace(/Blob$/, '')}Blob`,
    ContainerName: container,
    BlobName: blob.join('/'),
    ETag: `"${field('eTag')}"`,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new WebhookProcessingError(`The request content is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
