/**
 * The admin web API through the real @azure/functions registrations on the local host, against
 * Azurite and the simulators (dev/scenarios/mapping: connector fabrikam-att): who may call what
 * (401, 403 for a reader on every change), the anti-forgery checks, every input validated, the
 * upload limit, the log's formula safety, and the audit trail of each change.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_ROUTES, encodeClientPrincipal } from '../../shared/admin-web';
import { Tables } from '../../shared/platform/storage/storage-names';
import type { ItemOutcome } from '../../shared/outcomes/item-outcome';
import { E2ePipeline } from '../e2e/pipeline-fixture';
import { MAPPING_SCENARIO_DIR, makeWorkdir } from '../e2e/e2e-scenario';

const CONNECTOR = 'fabrikam-att';
const TM_USER = 'fabrikam-archive';
const TM_PASSWORD = 'mapping-demo-Tm-2026!';

const ADMIN = encodeClientPrincipal({ id: 'oid-ada', name: 'ada@fabrikam.com', roles: ['Connectors.Admin'] });
const READER = encodeClientPrincipal({ id: 'oid-rita', name: 'rita@fabrikam.com', roles: ['Connectors.Read', 'Some.Other.Role'] });
const NO_ROLE = encodeClientPrincipal({ id: 'oid-nils', name: 'nils@fabrikam.com', roles: [] });

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { code: string; field?: string; message: string } } & Record<string, unknown>;
}

let pipeline: E2ePipeline;
let work: { dir: string; remove(): Promise<void> };
let baseUrl: string;

async function send(method: string, pathAndQuery: string, options: { headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {
    method,
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // CSV or empty.
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A signed-in browser: its principal, the anti-forgery cookie and token from GET /me, and same-origin requests. */
class Session {
  token = '';

  constructor(readonly principal: string) {}

  async start(): Promise<Answer> {
    const me = await send('GET', '/api/admin/me', { headers: { 'x-ms-client-principal': this.principal } });
    assert.equal(me.status, 200, me.text);
    this.token = me.json['csrfToken'] as string;
    assert.match(me.headers.get('set-cookie') ?? '', /^admin-csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    return me;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'x-ms-client-principal': this.principal,
      cookie: `admin-csrf=${this.token}`,
      'x-csrf-token': this.token,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/json',
      ...extra,
    };
  }

  get(pathAndQuery: string): Promise<Answer> {
    return send('GET', pathAndQuery, { headers: this.headers() });
  }

  change(method: string, pathAndQuery: string, body?: unknown, extra: Record<string, string> = {}): Promise<Answer> {
    return send(method, pathAndQuery, {
      headers: this.headers(extra),
      ...(body === undefined ? {} : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
    });
  }
}

function pathOf(route: (typeof ADMIN_ROUTES)[number]): string {
  return `/api/${route.route.replace('{id}', CONNECTOR)}`;
}

function assertSecurityHeaders(answer: Answer, where: string): void {
  assert.equal(answer.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", where);
  assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', where);
  assert.equal(answer.headers.get('x-frame-options'), 'DENY', where);
  assert.equal(answer.headers.get('cache-control'), 'no-store', where);
  assert.equal(answer.headers.get('referrer-policy'), 'no-referrer', where);
}

function assertRefused(answer: Answer, status: number, code: string, field?: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.json.error?.code, code, answer.text);
  if (field !== undefined) assert.equal(answer.json.error?.field, field, answer.text);
  assertSecurityHeaders(answer, answer.text);
}

let admin: Session;
let reader: Session;

before(async () => {
  work = await makeWorkdir();
  pipeline = await E2ePipeline.start(MAPPING_SCENARIO_DIR, work.dir);
  // A password stored through the API locally goes to ./local.settings.json of the host's working
  // folder: this test's own folder, never the repository's.
  const cwd = process.cwd();
  process.chdir(work.dir);
  try {
    baseUrl = (await pipeline.startHost()).baseUrl;
  } finally {
    process.chdir(cwd);
  }
  admin = new Session(ADMIN);
  reader = new Session(READER);
  await admin.start();
  await reader.start();
});

after(async () => {
  await pipeline?.stop();
  await work?.remove();
});

describe('who may call the admin API', () => {
  test('every route but the local sign-in answers 401 to a request without a principal, with the security headers', async () => {
    const routes = ADMIN_ROUTES.filter((r) => r.access !== 'anyone');
    assert.ok(routes.length >= 20);
    for (const route of routes) {
      const answer = await send(route.method, pathOf(route), { headers: { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, body: route.method === 'GET' ? undefined : '{}' });
      assertRefused(answer, 401, 'not-signed-in');
    }
    // A principal header that is not base64 JSON counts as nobody.
    assertRefused(await send('GET', '/api/admin/connectors', { headers: { 'x-ms-client-principal': 'not base64!' } }), 401, 'not-signed-in');
  });

  test('a reader reads, and every change route answers 403 to a reader, with the token and same-site headers in order', async () => {
    const me = await reader.get('/api/admin/me');
    assert.deepEqual([me.json['roles'], me.json['canChange'], (me.json['principal'] as { name: string }).name], [['Connectors.Read'], false, 'rita@fabrikam.com']);
    const list = await reader.get('/api/admin/connectors');
    assert.equal(list.status, 200, list.text);
    const changes = ADMIN_ROUTES.filter((r) => r.access === 'change');
    assert.equal(changes.length, 9);
    for (const route of changes) {
      const answer = await reader.change(route.method, `${pathOf(route)}?connector=${CONNECTOR}`, {});
      assertRefused(answer, 403, 'forbidden');
    }
    const audit = await reader.get(`/api/admin/audit?connector=${CONNECTOR}`);
    assert.deepEqual(audit.json, [], 'no refused change is audited');
  });

  test('a signed-in user with neither app role gets 403 on reads too, and /me says so', async () => {
    const nobody = new Session(NO_ROLE);
    const me = await nobody.start();
    assert.deepEqual(me.json['roles'], []);
    assertRefused(await nobody.get('/api/admin/connectors'), 403, 'forbidden');
  });

  test('the local sign-in sets a cookie that stands for the principal, marked local', async () => {
    const signIn = await send('POST', '/api/admin/local-signin', {
      headers: { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'local.admin@contoso.example', roles: ['Connectors.Read'] }),
    });
    assert.equal(signIn.status, 200, signIn.text);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    assert.match(cookie, /^admin-local-principal=/);
    const me = await send('GET', '/api/admin/me', { headers: { cookie } });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual([(me.json['principal'] as { source: string }).source, me.json['roles'], me.json['localSignIn']], ['local-signin', ['Connectors.Read'], true]);
    // A cross-site page cannot sign the browser in as someone else.
    const forged = await send('POST', '/api/admin/local-signin', { headers: { 'sec-fetch-site': 'cross-site' }, body: JSON.stringify({ name: 'x', roles: [] }) });
    assertRefused(forged, 403, 'forgery-check-failed');
    assertRefused(await send('POST', '/api/admin/local-signin', { headers: { 'sec-fetch-site': 'same-origin' }, body: JSON.stringify({ name: 'x', roles: ['Global.Admin'] }) }), 400, 'invalid-input', 'roles');
  });
});

describe('anti-forgery', () => {
  test('a change without a same-site request or without the matching token is refused and changes nothing', async () => {
    const body = JSON.stringify({ enabled: false });
    const url = `/api/admin/connectors/${CONNECTOR}`;
    const base = { 'x-ms-client-principal': ADMIN, 'content-type': 'application/json' };
    const withToken = { ...base, cookie: `admin-csrf=${admin.token}`, 'x-csrf-token': admin.token };
    const attempts: [string, Record<string, string>][] = [
      ['no Origin nor Sec-Fetch-Site', withToken],
      ['cross-site', { ...withToken, 'sec-fetch-site': 'cross-site' }],
      ['same-site but another origin', { ...withToken, 'sec-fetch-site': 'same-site' }],
      ['a foreign Origin', { ...withToken, origin: 'https://evil.example' }],
      ['no token', { ...base, 'sec-fetch-site': 'same-origin', cookie: `admin-csrf=${admin.token}` }],
      ['no cookie', { ...base, 'sec-fetch-site': 'same-origin', 'x-csrf-token': admin.token }],
      ['a token that does not match', { ...withToken, 'sec-fetch-site': 'same-origin', 'x-csrf-token': 'A'.repeat(43) }],
    ];
    for (const [what, headers] of attempts) {
      const answer = await send('PATCH', url, { headers, body });
      assert.equal(answer.status, 403, `${what}: ${answer.text}`);
      assert.equal(answer.json.error?.code, 'forgery-check-failed', what);
    }
    const connector = await admin.get(url);
    assert.equal(connector.json['enabled'], true);
    // The page's own request passes with its Origin instead of Sec-Fetch-Site too.
    const { host } = new URL(baseUrl);
    const ok = await send('PATCH', url, { headers: { ...withToken, origin: `http://${host}` }, body: JSON.stringify({ folderName: 'Fabrikam texts' }) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json['folderName'], 'Fabrikam texts');
  });
});

describe('input validation', () => {
  test('every bad input is a 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/admin/connectors', 'not json', 'body'],
      ['POST', '/api/admin/connectors', [], 'body'],
      ['POST', '/api/admin/connectors', { product: 'att-network' }, 'id'],
      ['POST', '/api/admin/connectors', { id: 'New_Connector', product: 'att-network', baseUrl: 'https://a.example', username: 'u', passwordSecretName: 's' }, 'id'],
      ['POST', '/api/admin/connectors', { id: 'new-one', product: 'fax', baseUrl: 'https://a.example', username: 'u', passwordSecretName: 's' }, 'product'],
      ['POST', '/api/admin/connectors', { id: 'new-one', product: 'att-network', baseUrl: 'http://archive.example', username: 'u', passwordSecretName: 's' }, 'baseUrl'],
      ['POST', '/api/admin/connectors', { id: 'new-one', product: 'att-network', baseUrl: 'https://a.example', username: 'u', passwordSecretName: 'bad name!' }, 'passwordSecretName'],
      ['POST', '/api/admin/connectors', { id: 'new-one', product: 'att-network', baseUrl: 'https://a.example', username: 'u', passwordSecretName: 's', autoMapping: 'yes' }, 'autoMapping'],
      ['POST', '/api/admin/connectors', { id: 'new-one', product: 'att-network', baseUrl: 'https://a.example', username: 'u', passwordSecretName: 's', startFrom: 'last week' }, 'startFrom'],
      ['POST', '/api/admin/connectors', { id: 'new-one', product: 'att-network', baseUrl: 'https://a.example', username: 'u', passwordSecretName: 's', colour: 'red' }, 'colour'],
      ['POST', '/api/admin/connectors/check-signin', { baseUrl: 'https://a.example', username: 'u' }, 'password'],
      ['POST', '/api/admin/connectors/check-signin', { baseUrl: 'https://a.example', username: 'u', password: 42 }, 'password'],
      ['PATCH', `/api/admin/connectors/${CONNECTOR}`, {}, 'body'],
      ['PATCH', `/api/admin/connectors/${CONNECTOR}`, { folderName: 'Inbox' }, 'folderName'],
      ['PATCH', `/api/admin/connectors/${CONNECTOR}`, { region: 'Atlantis' }, 'region'],
      ['PATCH', `/api/admin/connectors/${CONNECTOR}`, { enabled: 'no' }, 'enabled'],
      ['PATCH', `/api/admin/connectors/${CONNECTOR}`, { checkpoint: '2020-01-01' }, 'checkpoint'],
      ['POST', `/api/admin/connectors/${CONNECTOR}/run`, { from: '2026-01-01' }, 'from'],
      ['POST', `/api/admin/connectors/${CONNECTOR}/backfill`, {}, 'from'],
      ['POST', `/api/admin/connectors/${CONNECTOR}/backfill`, { from: 'yesterday' }, 'from'],
      ['POST', `/api/admin/connectors/${CONNECTOR}/backfill`, { from: '2026-01-02', to: '2026-01-01' }, 'to'],
      ['POST', `/api/admin/connectors/${CONNECTOR}/backfill`, { from: '2026-01-01', to: '2999-01-01' }, 'to'],
      ['POST', '/api/admin/items/replay', { connector: CONNECTOR }, 'ids'],
      ['POST', '/api/admin/items/replay', { connector: CONNECTOR, ids: [] }, 'ids'],
      ['POST', '/api/admin/items/replay', { connector: CONNECTOR, ids: [7] }, 'ids'],
      ['POST', '/api/admin/items/replay', { connector: CONNECTOR, ids: ['a'], all: true }, 'all'],
      ['POST', '/api/admin/items/replay', { connector: CONNECTOR, all: true, filter: { status: 'lost' } }, 'filter.status'],
      ['POST', '/api/admin/items/replay', { connector: CONNECTOR, all: true, filter: { from: 'then' } }, 'from'],
      ['POST', '/api/admin/items/replay', { ids: ['a'] }, 'connector'],
      ['POST', '/api/admin/mapping/validate', 'Mobile,UPN\n', 'connector'],
      ['POST', `/api/admin/mapping/validate?connector=${CONNECTOR}`, '', 'file'],
      ['POST', `/api/admin/mapping?connector=${CONNECTOR}&fileName=a%00b.csv`, 'Mobile,UPN\n+14255550101,a@b.example\n', 'fileName'],
      ['POST', '/api/admin/mapping/rollback', { connector: CONNECTOR }, 'version'],
      ['POST', '/api/admin/mapping/rollback', { connector: CONNECTOR, version: 'no-such-version' }, 'version'],
    ];
    for (const [method, url, body, field] of cases) {
      const answer = await admin.change(method, url, body);
      assert.equal(answer.status, 400, `${method} ${url} ${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(answer.json.error?.code, 'invalid-input', answer.text);
      assert.equal(answer.json.error?.field, field, `${method} ${url} ${JSON.stringify(body)}: ${answer.text}`);
      assertSecurityHeaders(answer, url);
    }
    const reads: [string, string][] = [
      ['/api/admin/items?status=lost', 'status'],
      ['/api/admin/items?from=then', 'from'],
      [`/api/admin/connectors/${CONNECTOR}/days?from=2026-02-01&to=2026-01-01`, 'to'],
      [`/api/admin/connectors/${CONNECTOR}/days?from=2020-01-01&to=2026-01-01`, 'from'],
      [`/api/admin/connectors/${CONNECTOR}/runs?limit=0`, 'limit'],
      ['/api/admin/log.csv?to=2026-01-01', 'from'],
      ['/api/admin/log.csv?from=2026-01-01', 'to'],
      ['/api/admin/log.csv?from=2026-01-02&to=2026-01-01', 'to'],
      ['/api/admin/mapping/versions', 'connector'],
      [`/api/admin/mapping/diff?connector=${CONNECTOR}&from=x`, 'to'],
      ['/api/admin/audit?from=soon', 'from'],
      ['/api/admin/audit?limit=100000', 'limit'],
    ];
    for (const [url, field] of reads) {
      const answer = await reader.get(url);
      assert.equal(answer.status, 400, `${url}: ${answer.text}`);
      assert.equal(answer.json.error?.field, field, `${url}: ${answer.text}`);
    }
    assertRefused(await reader.get('/api/admin/connectors/no-such-connector'), 404, 'not-found', 'id');
  });

  test('a body above the limit is refused with 413: 10 MiB for a mapping file, 64 KiB otherwise', async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 1).fill(0x41);
    assertRefused(await admin.change('POST', `/api/admin/mapping/validate?connector=${CONNECTOR}`, big, { 'content-type': 'text/csv' }), 413, 'too-large', 'body');
    assertRefused(await admin.change('PATCH', `/api/admin/connectors/${CONNECTOR}`, JSON.stringify({ folderName: 'x'.repeat(70_000) })), 413, 'too-large', 'body');
    // Just under the limit is read (and refused for what it holds, not its size).
    const under = new Uint8Array(10 * 1024 * 1024).fill(0x41);
    const answer = await admin.change('POST', `/api/admin/mapping/validate?connector=${CONNECTOR}`, under, { 'content-type': 'text/csv' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json['ok'], false);
  });
});

describe('changes, each in the audit trail', () => {
  test('adding a connector: the sign-in is checked live, the password is stored and never echoed nor audited', async () => {
    const wrong = await admin.change('POST', '/api/admin/connectors/check-signin', { baseUrl: pipeline.environment.teleMessage.url, username: TM_USER, password: 'wrong-password' });
    assertRefused(wrong, 422, 'signin-rejected', 'password');
    assert.doesNotMatch(wrong.text, /wrong-password/);
    const right = await admin.change('POST', '/api/admin/connectors/check-signin', { baseUrl: pipeline.environment.teleMessage.url, username: TM_USER, password: TM_PASSWORD });
    assert.equal(right.status, 200, right.text);

    const added = await admin.change('POST', '/api/admin/connectors', {
      // The same TeleMessage account, another product: one connector per account and product.
      id: 'fabrikam-att-2', product: 'wechat', baseUrl: pipeline.environment.teleMessage.url, username: TM_USER,
      passwordSecretName: 'fabrikam-att-2-password', password: TM_PASSWORD, startFrom: new Date(Date.now() - 36 * 3_600_000).toISOString(), enabled: false,
    });
    assert.equal(added.status, 201, added.text);
    assert.doesNotMatch(added.text, new RegExp(TM_PASSWORD.replace(/[!]/g, '\\$&')));
    assert.equal((added.json['connector'] as { status: string }).status, 'disabled');
    assert.equal(added.json['passwordStored'], true);
    const stored = JSON.parse(await readFile(path.join(work.dir, 'local.settings.json'), 'utf8')) as { Values: Record<string, string> };
    assert.equal(stored.Values['SECRET_FABRIKAM_ATT_2_PASSWORD'], TM_PASSWORD);
    assertRefused(await admin.change('POST', '/api/admin/connectors', {
      id: 'fabrikam-att-2', product: 'wechat', baseUrl: pipeline.environment.teleMessage.url, username: TM_USER, passwordSecretName: 'fabrikam-att-2-password',
    }), 409, 'exists', 'id');
    // A second connector on the account and product fabrikam-att archives would import every item twice.
    assertRefused(await admin.change('POST', '/api/admin/connectors', {
      id: 'fabrikam-att-3', product: 'att-network', baseUrl: pipeline.environment.teleMessage.url, username: TM_USER, passwordSecretName: 'fabrikam-att-2-password',
    }), 409, 'conflict');

    // The running host reads the stored password at once: the new connector can be enabled and run.
    const enabled = await admin.change('PATCH', '/api/admin/connectors/fabrikam-att-2', { enabled: true });
    assert.equal(enabled.status, 200, enabled.text);
    const run = await admin.change('POST', '/api/admin/connectors/fabrikam-att-2/run');
    assert.equal(run.status, 202, run.text);

    const audit = await reader.get('/api/admin/audit?connector=fabrikam-att-2');
    const entries = audit.json as unknown as { action: string; actor: { id: string; name: string; via: string }; before?: unknown; after?: unknown }[];
    assert.deepEqual(entries.map((e) => e.action), ['connector.run', 'connector.enabled', 'connector.added']);
    // Locally the principal header stands in for App Service Authentication, as the local sign-in does.
    assert.deepEqual(entries[2]?.actor, { id: 'oid-ada', name: 'ada@fabrikam.com', via: 'web-local' });
    assert.deepEqual([entries[1]?.before, entries[1]?.after], [{ enabled: false }, { enabled: true }]);
    assert.doesNotMatch(audit.text, /mapping-demo-Tm/);
    // The rows are in table `audit`.
    let rows = 0;
    for await (const row of pipeline.environment.stores.storage.table(Tables.audit).listEntities<{ json: string }>()) {
      assert.doesNotMatch(row.json, /mapping-demo-Tm/);
      rows += 1;
    }
    assert.ok(rows >= 3, `${rows} audit rows`);
  });

  test('mapping files: a file with errors is shown by line and refused; the fix is applied, listed with who, diffed and rolled back', async () => {
    const broken = 'Display Name,Mobile Number,UserPrincipalName\nLeo Martin,425-555-0104,leo.martin@fabrikam.com\nNobody,not a number,nobody@fabrikam.com\n';
    const validated = await admin.change('POST', `/api/admin/mapping/validate?connector=${CONNECTOR}`, broken, { 'content-type': 'text/csv' });
    assert.equal(validated.status, 200, validated.text);
    assert.equal(validated.json['ok'], false);
    assert.deepEqual((validated.json['errors'] as { line: number }[]).map((e) => e.line), [3]);
    const refused = await admin.change('POST', `/api/admin/mapping?connector=${CONNECTOR}&fileName=broken.csv`, broken, { 'content-type': 'text/csv' });
    assertRefused(refused, 422, 'mapping-rejected', 'file');

    const before = await reader.get(`/api/admin/mapping/versions?connector=${CONNECTOR}`);
    const first = before.json['current'] as string;
    const corrected = await readFile(path.join(MAPPING_SCENARIO_DIR, 'mapping', 'corrected.csv'));
    const applied = await admin.change('POST', `/api/admin/mapping?connector=${CONNECTOR}&fileName=corrected.csv`, corrected, { 'content-type': 'text/csv' });
    assert.equal(applied.status, 201, applied.text);
    const second = (applied.json['current'] as { version: string }).version;
    const versions = await reader.get(`/api/admin/mapping/versions?connector=${CONNECTOR}`);
    const listed = (versions.json['versions'] as { version: string; appliedBy?: string; fileName?: string }[]).find((v) => v.version === second);
    assert.deepEqual([listed?.appliedBy, listed?.fileName], ['ada@fabrikam.com', 'corrected.csv']);

    const diff = await reader.get(`/api/admin/mapping/diff?connector=${CONNECTOR}&from=${first}&to=${second}`);
    assert.equal(diff.status, 200, diff.text);
    assert.deepEqual(diff.json['added'], [{ number: '+14255550104', address: 'leo.martin@fabrikam.com' }]);
    assert.deepEqual(diff.json['changed'], [{ number: '+14255550105', from: 'olga.petrov@fabrikam.com', to: 'nora.quinn@fabrikam.com' }]);

    const rollback = await admin.change('POST', '/api/admin/mapping/rollback', { connector: CONNECTOR, version: first });
    assert.equal(rollback.status, 201, rollback.text);
    const audit = await reader.get(`/api/admin/audit?connector=${CONNECTOR}`);
    const actions = (audit.json as unknown as { action: string; details?: Record<string, unknown> }[]).map((e) => e.action);
    assert.deepEqual(actions.slice(0, 2), ['mapping.rolled-back', 'mapping.applied']);
  });

  test('outstanding items with each participant, partial ones apart; the log is formula-safe; a replay is audited', async () => {
    const now = new Date().toISOString();
    const base = { connectorId: CONNECTOR, attempts: 1, firstProcessedAt: now, updatedAt: now, kind: 'sms' };
    const outcomes: ItemOutcome[] = [
      {
        ...base, itemId: 'api-unmapped', blobName: `${CONNECTOR}/api-unmapped.json`, status: 'unmapped', archivedAt: '2026-03-10T10:00:00.000Z', mailboxes: [],
        unmapped: [{ participant: '=HYPERLINK("http://evil.example","+1 425 555 0199")', reason: '+cmd|calc: not in the mapping file, no email address' }],
      },
      {
        ...base, itemId: 'api-partial', blobName: `${CONNECTOR}/api-partial.json`, status: 'imported', archivedAt: '2026-03-10T11:00:00.000Z',
        mailboxes: [{ userId: 'u1', userPrincipalName: 'priya.shah@fabrikam.com', via: 'mapping-file', status: 'imported' }],
        unmapped: [{ participant: '@Leo (+1 425 555 0104)', reason: 'not in the mapping file, no email address' }],
      },
      {
        ...base, itemId: 'api-done', blobName: `${CONNECTOR}/api-done.json`, status: 'imported', archivedAt: '2026-03-10T12:00:00.000Z',
        mailboxes: [{ userId: 'u1', userPrincipalName: 'priya.shah@fabrikam.com', via: 'mapping-file', status: 'alreadyImported' }], unmapped: [],
      },
    ];
    for (const o of outcomes) await pipeline.environment.stores.imports.putOutcome(o);

    const partial = await reader.get(`/api/admin/items?connector=${CONNECTOR}&status=partial`);
    assert.equal(partial.status, 200, partial.text);
    const items = partial.json['items'] as { itemId: string; participants: { participant: string; outcome: string }[] }[];
    assert.deepEqual(items.map((i) => i.itemId), ['api-partial']);
    assert.deepEqual(items[0]?.participants.map((p) => p.outcome), ['unmapped', 'imported']);
    const byNumber = await reader.get(`/api/admin/items?connector=${CONNECTOR}&number=425-555-0199`);
    assert.deepEqual((byNumber.json['items'] as { itemId: string }[]).map((i) => i.itemId), ['api-unmapped']);

    const log = await reader.get(`/api/admin/log.csv?from=2026-03-10&to=2026-03-11&connector=${CONNECTOR}`);
    assert.equal(log.status, 200, log.text);
    assert.match(log.headers.get('content-type') ?? '', /^text\/csv/);
    assertSecurityHeaders(log, 'log.csv');
    const lines = log.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    assert.equal(lines[0], 'time,connector,item id,kind,source participant,mailbox,outcome,reason');
    const unmappedRow = lines.find((l) => l.includes('api-unmapped'));
    assert.equal(unmappedRow, `2026-03-10T10:00:00.000Z,${CONNECTOR},api-unmapped,sms,"'=HYPERLINK(""http://evil.example"",""+1 425 555 0199"")",,unmapped,"'+cmd|calc: not in the mapping file, no email address"`);
    assert.ok(lines.some((l) => l.includes("api-partial,sms,\"'@Leo (+1 425 555 0104)\",,unmapped,")), log.text);
    assert.ok(lines.some((l) => l.startsWith('2026-03-10T12:00:00.000Z') && l.includes(',already imported,')), log.text);
    for (const line of lines) for (const cell of line.split(',')) assert.doesNotMatch(cell.replace(/^"/, ''), /^[=+\-@\t\r]/, line);

    const replay = await admin.change('POST', '/api/admin/items/replay', { connector: CONNECTOR, ids: ['api-unmapped', 'api-partial', 'api-done'] });
    assert.equal(replay.status, 202, replay.text);
    // No blobs stand behind these outcomes: they are reported missing; the imported one is not outstanding.
    assert.deepEqual([replay.json['missing'], replay.json['notOutstanding']], [['api-partial', 'api-unmapped'], ['api-done']]);
    const audit = await reader.get(`/api/admin/audit?connector=${CONNECTOR}&limit=1`);
    const [entry] = audit.json as unknown as { action: string; details: Record<string, unknown> }[];
    assert.deepEqual([entry?.action, entry?.details['ids'], entry?.details['missing']], ['items.replayed', 3, 2]);
  });

  test('the connector list gives status, lag and what is outstanding now', async () => {
    const list = await reader.get('/api/admin/connectors');
    const fabrikam = (list.json as unknown as { id: string; status: string; outstanding: Record<string, number>; lagSeconds: number }[]).find((c) => c.id === CONNECTOR);
    assert.ok(fabrikam, list.text);
    assert.equal(fabrikam.outstanding['unmapped'], 1);
    assert.equal(fabrikam.outstanding['partial'], 1);
    assert.ok(['healthy', 'behind'].includes(fabrikam.status), fabrikam.status);
    const days = await reader.get(`/api/admin/connectors/${CONNECTOR}/days?from=2026-03-09&to=2026-03-12`);
    assert.deepEqual(days.json, [
      { day: '2026-03-09', fetched: 0, imported: 0, unmapped: 0, partial: 0, failed: 0, quarantined: 0 },
      { day: '2026-03-10', fetched: 0, imported: 1, unmapped: 1, partial: 1, failed: 0, quarantined: 0 },
      { day: '2026-03-11', fetched: 0, imported: 0, unmapped: 0, partial: 0, failed: 0, quarantined: 0 },
    ]);
  });
});
