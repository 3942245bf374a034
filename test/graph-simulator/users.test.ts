import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GraphSimulator } from '../../dev/simulators/graph';
import {
  ANA,
  BEN,
  CARA,
  SimulatorFixture,
  USERS,
  errorCode,
  filterQuery,
  graphCall,
  makeDataDir,
  odataString,
  removeDir,
} from './graph-simulator-fixture';

describe('Graph simulator: authentication and users', () => {
  let f: SimulatorFixture;
  before(async () => {
    f = await SimulatorFixture.start();
  });
  after(async () => {
    await f.close();
  });

  test('serves /v1.0 on the host and port it bound', () => {
    assert.match(f.sim.url, /^http:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
  });

  test('a Graph request without a bearer token is 401', async () => {
    const none = await fetch(`${f.sim.url}/users/${ANA.id}`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'InvalidAuthenticationToken');
    const basic = await fetch(`${f.sim.url}/users/${ANA.id}`, { headers: { Authorization: 'Basic YTpi' } });
    assert.equal(basic.status, 401);
    const empty = await fetch(`${f.sim.url}/users/${ANA.id}`, { headers: { Authorization: 'Bearer ' } });
    assert.equal(empty.status, 401);
  });

  test('GET /users/{id} and /users/{upn} return the default property set', async () => {
    const byId = await f.call('GET', `/users/${ANA.id}`);
    assert.equal(byId.status, 200);
    assert.equal(byId.json.id, ANA.id);
    assert.equal(byId.json.userPrincipalName, ANA.userPrincipalName);
    assert.equal(byId.json.mail, ANA.mail);
    assert.equal(byId.json.displayName, 'Ana Lopez');
    assert.equal(byId.json.mobilePhone, ANA.mobilePhone);
    assert.equal('accountEnabled' in byId.json, false, 'accountEnabled needs $select');
    assert.equal('hasMailbox' in byId.json, false, 'hasMailbox is scenario data, not a Graph property');

    const byUpn = await f.call('GET', `/users/${encodeURIComponent('ANA@Contoso.example')}`);
    assert.equal(byUpn.status, 200);
    assert.equal(byUpn.json.id, ANA.id);
  });

  test('an unknown user is 404 Request_ResourceNotFound', async () => {
    const reply = await f.call('GET', '/users/nobody%40contoso.example');
    assert.equal(reply.status, 404);
    assert.equal(errorCode(reply), 'Request_ResourceNotFound');
  });

  test('$select returns exactly the selected properties and refuses unknown ones', async () => {
    const reply = await f.call('GET', `/users/${BEN.id}?$select=accountEnabled,proxyAddresses,mail`);
    assert.equal(reply.status, 200);
    assert.deepEqual(
      Object.keys(reply.json).filter((k) => !k.startsWith('@')).sort(),
      ['accountEnabled', 'mail', 'proxyAddresses'],
    );
    assert.equal(reply.json.accountEnabled, false);
    assert.deepEqual(reply.json.proxyAddresses, BEN.proxyAddresses);

    const unknown = await f.call('GET', `/users/${BEN.id}?$select=hasMailbox`);
    assert.equal(unknown.status, 400);
  });

  test("$filter=mail eq '…' ignores case", async () => {
    const reply = await f.call('GET', `/users${filterQuery("mail eq 'ana.lopez@CONTOSO.example'")}`);
    assert.equal(reply.status, 200);
    const value = reply.json.value as { id: string }[];
    assert.deepEqual(value.map((u) => u.id), [ANA.id]);

    const none = await f.call('GET', `/users${filterQuery("mail eq 'nobody@contoso.example'")}`);
    assert.deepEqual(none.json.value, []);
  });

  test('$filter=proxyAddresses/any(...) finds aliases, with OData quote doubling', async () => {
    const alias = await f.call('GET', `/users${filterQuery("proxyAddresses/any(p:p eq 'smtp:ANA@contoso.example')")}`);
    assert.equal(alias.status, 200);
    assert.deepEqual((alias.json.value as { id: string }[]).map((u) => u.id), [ANA.id]);

    const quoted = await f.call(
      'GET',
      `/users${filterQuery(`proxyAddresses/any(p: p eq ${odataString("smtp:o'hara@contoso.example")})`, { $select: 'id,accountEnabled' })}`,
    );
    assert.equal(quoted.status, 200);
    assert.deepEqual(quoted.json.value, [{ id: ANA.id, accountEnabled: true }]);
  });

  test('a malformed filter or an unknown property in it is 400', async () => {
    const unterminated = await f.call('GET', `/users${filterQuery("mail eq 'x")}`);
    assert.equal(unterminated.status, 400);
    const unknown = await f.call('GET', `/users${filterQuery("shoeSize eq '9'")}`);
    assert.equal(unknown.status, 400);
    const unsupportedOption = await f.call('GET', '/users?$orderby=displayName');
    assert.equal(unsupportedOption.status, 400);
  });

  test('GET /users pages with @odata.nextLink', async () => {
    const first = await f.call('GET', '/users?$top=2');
    assert.equal((first.json.value as unknown[]).length, 2);
    const next = first.json['@odata.nextLink'];
    assert.equal(typeof next, 'string');
    const second = await f.call('GET', next as string);
    assert.deepEqual((second.json.value as { id: string }[]).map((u) => u.id), [CARA.id]);
    assert.equal(second.json['@odata.nextLink'], undefined);
  });

  test('mailboxSettings: 200 with a mailbox, 404 MailboxNotEnabledForRESTAPI without one', async () => {
    const withMailbox = await f.call('GET', `/users/${ANA.id}/mailboxSettings`);
    assert.equal(withMailbox.status, 200);
    assert.equal(typeof withMailbox.json.timeZone, 'string');

    const disabledAccount = await f.call('GET', `/users/${BEN.userPrincipalName}/mailboxSettings`);
    assert.equal(disabledAccount.status, 200, 'a disabled account (e.g. a shared mailbox) still has its mailbox');

    const without = await f.call('GET', `/users/${CARA.id}/mailboxSettings`);
    assert.equal(without.status, 404);
    assert.equal(errorCode(without), 'MailboxNotEnabledForRESTAPI');
    const folders = await f.call('GET', `/users/${CARA.id}/mailFolders`);
    assert.equal(errorCode(folders), 'MailboxNotEnabledForRESTAPI');
  });

  test('a mailbox request for an unknown user is 404 ErrorInvalidUser', async () => {
    const reply = await f.call('GET', '/users/ghost%40contoso.example/mailFolders');
    assert.equal(reply.status, 404);
    assert.equal(errorCode(reply), 'ErrorInvalidUser');
  });

  test('/me is refused: the connector signs in as an application', async () => {
    const reply = await f.call('GET', '/me');
    assert.equal(reply.status, 400);
  });
});

describe('Graph simulator: directory from a scenario folder', () => {
  test('reads <scenario>/directory/users.json', async () => {
    const scenarioDir = await makeDataDir();
    const dataDir = await makeDataDir();
    await mkdir(path.join(scenarioDir, 'directory'), { recursive: true });
    await writeFile(path.join(scenarioDir, 'directory', 'users.json'), JSON.stringify(USERS));
    const sim = await GraphSimulator.start({ scenarioDir, dataDir });
    try {
      const reply = await graphCall(sim.url, 'GET', `/users/${encodeURIComponent(BEN.userPrincipalName)}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.id, BEN.id);
    } finally {
      await sim.stop();
      await removeDir(scenarioDir);
      await removeDir(dataDir);
    }
  });

  test('refuses to start without a directory', async () => {
    await assert.rejects(GraphSimulator.start({ dataDir: 'unused' }), /exactly one of scenarioDir and users/);
  });
});
