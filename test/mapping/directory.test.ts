import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CachingUserDirectory } from '../../shared/mapping/caching-user-directory';
import { describeLookupFailure, lookupForUser, userHasAddress, type DirectoryLookup, type UserDirectory } from '../../shared/mapping/directory';
import { directoryUser, InMemoryUserDirectory } from './in-memory-user-directory';

describe('userHasAddress', () => {
  const ana = directoryUser('u-ana', 'ana.diaz@contoso.onmicrosoft.com', {
    mail: 'Ana.Diaz@contoso.com',
    proxyAddresses: ['SMTP:Ana.Diaz@contoso.com', 'smtp:ana@contoso.com', 'X500:/o=Contoso/cn=ana', 'SIP:ana.sip@contoso.com'],
  });

  test('matches the UPN, mail and SMTP proxy addresses without regard to case or spaces', () => {
    for (const address of ['ana.diaz@contoso.onmicrosoft.com', 'ANA.DIAZ@CONTOSO.ONMICROSOFT.COM', 'ana.diaz@contoso.com', ' ana@Contoso.com ']) {
      assert.equal(userHasAddress(ana, address), true, address);
    }
  });

  test('does not match other proxy types, partial addresses or the empty string', () => {
    for (const address of ['ana.sip@contoso.com', '/o=Contoso/cn=ana', 'ana', 'contoso.com', '', 'smtp:ana@contoso.com']) {
      assert.equal(userHasAddress(ana, address), false, address);
    }
  });
});

describe('lookupForUser', () => {
  test('tells a valid user from a disabled one and one without a mailbox; disabled comes first', () => {
    const base = directoryUser('u-1', 'a@contoso.com');
    assert.deepEqual(lookupForUser(base), { status: 'valid', userId: 'u-1', userPrincipalName: 'a@contoso.com' });
    assert.equal(lookupForUser({ ...base, accountEnabled: false }).status, 'account-disabled');
    assert.equal(lookupForUser({ ...base, hasMailbox: false }).status, 'no-mailbox');
    assert.equal(lookupForUser({ ...base, accountEnabled: false, hasMailbox: false }).status, 'account-disabled');
    assert.equal(describeLookupFailure('no-mailbox'), 'no mailbox');
  });
});

describe('CachingUserDirectory', () => {
  test('asks once per address, whatever its case, and shares a request under way', async () => {
    const inner = new InMemoryUserDirectory([directoryUser('u-ana', 'ana@contoso.com')]);
    const cached = new CachingUserDirectory(inner);
    const answers = await Promise.all([cached.resolve('ana@contoso.com'), cached.resolve('ANA@contoso.com '), cached.resolve('bob@contoso.com')]);
    assert.deepEqual(
      answers.map((a) => a.status),
      ['valid', 'valid', 'not-found'],
    );
    assert.equal((await cached.resolve('Bob@Contoso.com')).status, 'not-found');
    assert.deepEqual(inner.asked, ['ana@contoso.com', 'bob@contoso.com']);
    assert.equal(cached.size, 2);
  });

  test('forgets a failure so that the next question asks again', async () => {
    let calls = 0;
    const flaky: UserDirectory = {
      resolve: async (): Promise<DirectoryLookup> => {
        calls += 1;
        if (calls === 1) throw new Error('throttled');
        return { status: 'not-found' };
      },
    };
    const cached = new CachingUserDirectory(flaky);
    await assert.rejects(cached.resolve('a@contoso.com'), /throttled/);
    assert.equal((await cached.resolve('a@contoso.com')).status, 'not-found');
    assert.equal((await cached.resolve('a@contoso.com')).status, 'not-found');
    assert.equal(calls, 2);
  });

  test('passes the abort signal through', async () => {
    const cached = new CachingUserDirectory(new InMemoryUserDirectory([]));
    await assert.rejects(cached.resolve('a@contoso.com', { abortSignal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(cached.size, 0);
  });
});
