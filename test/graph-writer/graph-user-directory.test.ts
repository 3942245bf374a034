import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DirectoryUser } from '../../dev/scenario/directory-users';
import { GraphUserDirectory } from '../../shared/graph/graph-user-directory';
import { mapParticipant } from '../../shared/mapping/participant-mapper';
import { parseRegionCode } from '../../shared/mapping/phone-number';
import { ANA, GraphFixture, USERS } from './graph-fixture';

/** Two users who both carry the sales team's address (a shared alias set on two mailboxes by mistake). */
const SALES_ONE: DirectoryUser = {
  id: '4f8a0e5c-6d7b-4c9e-8fa0-3b4c5d6e7f80',
  userPrincipalName: 'eve.ross@contoso.com',
  mail: 'eve.ross@contoso.com',
  proxyAddresses: ['SMTP:eve.ross@contoso.com', 'smtp:sales@contoso.com'],
  accountEnabled: true,
  hasMailbox: true,
  mobilePhone: null,
};
const SALES_TWO: DirectoryUser = {
  id: '5a9b1f6d-7e8c-4dae-9fb1-4c5d6e7f8091',
  userPrincipalName: 'finn.wu@contoso.com',
  mail: 'finn.wu@contoso.com',
  proxyAddresses: ['SMTP:finn.wu@contoso.com', 'smtp:Sales@contoso.com'],
  accountEnabled: true,
  hasMailbox: true,
  mobilePhone: null,
};
/** Two users with the same mail address. */
const DESK_ONE: DirectoryUser = { ...SALES_ONE, id: '6bac2a7e-8f9d-4ebf-8ac2-5d6e7f8091a2', userPrincipalName: 'gil.hart@contoso.com', mail: 'desk@contoso.com', proxyAddresses: ['SMTP:gil.hart@contoso.com'] };
const DESK_TWO: DirectoryUser = { ...SALES_ONE, id: '7cbd3b8f-9a0e-4fc0-9bd3-6e7f8091a2b3', userPrincipalName: 'hana.ode@contoso.com', mail: 'desk@contoso.com', proxyAddresses: ['SMTP:hana.ode@contoso.com'] };

describe('GraphUserDirectory: an address shared by two users (Graph simulator)', () => {
  let fx: GraphFixture;
  before(async () => {
    fx = await GraphFixture.start({ users: [...USERS, SALES_ONE, SALES_TWO, DESK_ONE, DESK_TWO] });
  });
  after(async () => {
    await fx?.close();
  });

  test('an SMTP alias two users carry is ambiguous, never the first user found', async () => {
    const directory = new GraphUserDirectory(fx.client);
    assert.deepEqual(await directory.resolve('sales@contoso.com'), { status: 'ambiguous' });
    // Each user is still found by an address of their own.
    assert.deepEqual(await directory.resolve('eve.ross@contoso.com'), { status: 'valid', userId: SALES_ONE.id, userPrincipalName: SALES_ONE.userPrincipalName });
    assert.deepEqual(await directory.resolve('ana+sms@contoso.com'), { status: 'valid', userId: ANA.id, userPrincipalName: ANA.userPrincipalName });
  });

  test('a mail address two users have is ambiguous', async () => {
    assert.deepEqual(await new GraphUserDirectory(fx.client).resolve('desk@contoso.com'), { status: 'ambiguous' });
  });

  test('a participant whose address is ambiguous stays unmapped, with that reason', async () => {
    const mapped = await mapParticipant(
      { email: 'sales@contoso.com' },
      { autoMapping: true, defaultRegion: parseRegionCode('US'), directory: new GraphUserDirectory(fx.client) },
    );
    assert.equal(mapped.status, 'unmapped');
    assert.match(mapped.status === 'unmapped' ? mapped.reason : '', /sales@contoso\.com.*shared by more than one user in the directory/);
  });
});
