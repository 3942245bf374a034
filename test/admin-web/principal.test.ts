/**
 * Who the admin API believes: the App Service client principal header as Easy Auth sends it, the
 * local sign-in's refusal in Azure, and CSV cells that never start a formula.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_ROUTES, encodeClientPrincipal, InvalidClientPrincipalError, localSignInRefusal, parseClientPrincipal, resolvePrincipal, serveAdminRequest, signInMode, type AdminHttpRequest } from '../../shared/admin-web';
import type { AdminServices } from '../../shared/admin/admin-services';
import { csvCell, csvLine } from '../../shared/admin/csv-text';

function header(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** The shape App Service Authentication sends for an Entra ID user (claims mapped as Easy Auth maps them). */
const EASY_AUTH = {
  auth_typ: 'aad',
  claims: [
    { typ: 'aud', val: '6e3b1c1e-0000-4000-8000-000000000001' },
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: '0b9c6f0e-1111-4c2a-9f5e-2a7b3c4d5e6f' },
    { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', val: 'ada@contoso.com' },
    { typ: 'name', val: 'Ada Lovelace' },
    { typ: 'preferred_username', val: 'ada@contoso.com' },
    { typ: 'roles', val: 'Connectors.Admin' },
    { typ: 'roles', val: 'Payroll.Admin' },
    { typ: 'ver', val: '2.0' },
  ],
  name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
};

describe('the client principal header', () => {
  test('is read as Easy Auth sends it: the object id, a user name and only our app roles', () => {
    assert.deepEqual(parseClientPrincipal(header(EASY_AUTH)), {
      id: '0b9c6f0e-1111-4c2a-9f5e-2a7b3c4d5e6f',
      name: 'ada@contoso.com',
      roles: ['Connectors.Admin'],
      source: 'app-service',
    });
  });

  test('takes roles from the role_typ claim type too, and the name from name_typ when present', () => {
    const principal = parseClientPrincipal(
      header({
        auth_typ: 'aad',
        claims: [
          { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', val: 'rita@contoso.com' },
          { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Connectors.Read' },
        ],
        name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      }),
    );
    assert.deepEqual(principal, { id: 'rita@contoso.com', name: 'rita@contoso.com', roles: ['Connectors.Read'], source: 'app-service' });
  });

  test('a role claim is matched exactly: other casing or spacing gives no role', () => {
    const principal = parseClientPrincipal(header({ claims: [{ typ: 'name', val: 'x' }, { typ: 'roles', val: 'connectors.admin' }, { typ: 'roles', val: ' Connectors.Admin' }] }));
    assert.deepEqual(principal.roles, []);
  });

  test('refuses what is not a principal', () => {
    for (const bad of ['', 'not base64!', Buffer.from('not json').toString('base64'), header([]), header({ claims: 'x' }), header({ claims: [{ typ: 'roles', val: 'Connectors.Admin' }] }), 'A'.repeat(70_000)]) {
      assert.throws(() => parseClientPrincipal(bad), InvalidClientPrincipalError, bad.slice(0, 40));
    }
  });

  test('encodeClientPrincipal writes what parseClientPrincipal reads', () => {
    assert.deepEqual(parseClientPrincipal(encodeClientPrincipal({ id: 'local:ana', name: 'ana', roles: ['Connectors.Read'] }), 'local-signin'), {
      id: 'local:ana',
      name: 'ana',
      roles: ['Connectors.Read'],
      source: 'local-signin',
    });
  });
});

describe('whom the app believes', () => {
  const admin = encodeClientPrincipal({ name: 'ada', roles: ['Connectors.Admin'] });
  const request = (h: Record<string, string>, c: Record<string, string> = {}) => ({ header: (n: string) => h[n], cookie: (n: string) => c[n] });

  test('in Azure, the header only with App Service Authentication on; the local sign-in never, whatever the setting', () => {
    const azure = { WEBSITE_SITE_NAME: 'func-archiver', WEBSITE_INSTANCE_ID: 'abc', ADMIN_WEB_LOCAL_SIGNIN: 'on' };
    assert.deepEqual(signInMode(azure), { inAzure: true, appService: false, localSignIn: false });
    assert.equal(resolvePrincipal(request({ 'x-ms-client-principal': admin }), azure), undefined, 'a forged header without Easy Auth');
    assert.equal(resolvePrincipal(request({}, { 'admin-local-principal': admin }), { ...azure, WEBSITE_AUTH_ENABLED: 'True' }), undefined);
    assert.equal(resolvePrincipal(request({ 'x-ms-client-principal': admin }), { ...azure, WEBSITE_AUTH_ENABLED: 'True' })?.source, 'app-service');
    assert.match(localSignInRefusal(azure) ?? '', /refused in Azure \(WEBSITE_INSTANCE_ID, WEBSITE_SITE_NAME set\)/);
    assert.match(localSignInRefusal({ WEBSITE_INSTANCE_ID: 'abc', ADMIN_WEB_LOCAL_SIGNIN: 'on' }) ?? '', /refused in Azure/);
  });

  test('locally, nobody unless the local sign-in is on', () => {
    assert.equal(resolvePrincipal(request({ 'x-ms-client-principal': admin }), {}), undefined);
    assert.match(localSignInRefusal({}) ?? '', /local sign-in is off; set ADMIN_WEB_LOCAL_SIGNIN=on/);
    const on = { ADMIN_WEB_LOCAL_SIGNIN: 'on' };
    assert.equal(localSignInRefusal(on), undefined);
    assert.deepEqual(resolvePrincipal(request({}, { 'admin-local-principal': admin }), on)?.roles, ['Connectors.Admin']);
    assert.equal(resolvePrincipal(request({}, { 'admin-local-principal': 'garbage' }), on), undefined);
  });
});

describe('CSV cells', () => {
  test('no cell starts a formula: = + - @ tab and carriage return are prefixed with a quote', () => {
    assert.deepEqual(
      ['=1+1', '+1 425 555 0104', '-2', '@SUM(A1)', '\tx', '\rx', 'plain', 'a,b', 'say "hi"', ''].map(csvCell),
      ["\"'=1+1\"", "\"'+1 425 555 0104\"", "\"'-2\"", "\"'@SUM(A1)\"", "\"'\tx\"", "\"'\rx\"", 'plain', '"a,b"', '"say ""hi"""', ''],
    );
    assert.equal(csvLine(['a', 1, undefined]), 'a,1,\r\n');
  });
});

describe('the admin API in Azure (no trigger, no storage: GET /me needs neither)', () => {
  const me = ADMIN_ROUTES.find((r) => r.name === 'adminMe')!;
  const request = (headers: Record<string, string>): AdminHttpRequest => ({
    method: 'GET',
    url: new URL('http://func-archiver.azurewebsites.net/api/admin/me'),
    params: {},
    header: (name) => headers[name],
    body: async () => new Uint8Array(),
  });
  // GET /me reads no store; a service touched would throw.
  const services = new Proxy({}, { get: () => assert.fail('GET /me touched a service') }) as AdminServices;
  const azure = { WEBSITE_SITE_NAME: 'func-archiver', WEBSITE_INSTANCE_ID: 'abc', WEBSITE_AUTH_ENABLED: 'True' };

  test('behind App Service Authentication: the principal is read, the anti-forgery cookie is the Secure __Host- one, HSTS is sent', async () => {
    const answer = await serveAdminRequest(me, request({ 'x-ms-client-principal': header(EASY_AUTH) }), { services, env: azure });
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(answer.cookies.map((c) => [c.name, c.secure, c.httpOnly, c.sameSite, c.path]), [['__Host-admin-csrf', true, true, 'Strict', '/']]);
    assert.equal(answer.headers['Strict-Transport-Security'], 'max-age=31536000; includeSubDomains');
    assert.equal((JSON.parse(answer.body) as { principal: { source: string } }).principal.source, 'app-service');
  });

  test('without App Service Authentication a principal header is not believed: 401', async () => {
    const { WEBSITE_AUTH_ENABLED: _off, ...withoutAuth } = azure;
    const answer = await serveAdminRequest(me, request({ 'x-ms-client-principal': header(EASY_AUTH) }), { services, env: withoutAuth });
    assert.equal(answer.status, 401, answer.body);
    assert.equal(answer.headers['Content-Security-Policy'], "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  });
});
