import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CachingUserDirectory } from '../../shared/mapping/caching-user-directory';
import type { CustomMapping } from '../../shared/mapping/custom-mapping';
import type { DirectoryUser } from '../../shared/mapping/directory';
import {
  canEnableConnector,
  describeUnmappedItem,
  mapItemParticipants,
  mapParticipant,
  type ParticipantIdentity,
  type ParticipantMappingOptions,
} from '../../shared/mapping/participant-mapper';
import { directoryUser, InMemoryUserDirectory } from './in-memory-user-directory';

const mapping: CustomMapping = {
  version: 1,
  defaultRegion: 'US',
  entries: {
    '+12025550143': 'ana.diaz@contoso.com',
    '+13105550100': 'x@contoso.com',
    '+13105550101': 'carl@contoso.com',
    '+13105550102': 'gone@contoso.com',
  },
};
const users: DirectoryUser[] = [
  directoryUser('u-ana', 'ana.diaz@contoso.com'),
  directoryUser('u-bob', 'bob@contoso.com', { accountEnabled: false }),
  directoryUser('u-x', 'x@contoso.com', { hasMailbox: false }),
  directoryUser('u-carl', 'carl@contoso.onmicrosoft.com', { mail: 'carl@contoso.com' }),
  directoryUser('u-dee', 'dee@contoso.onmicrosoft.com', { mail: null, proxyAddresses: ['SMTP:dee@contoso.com', 'smtp:d@contoso.com'] }),
];

function options(overrides: Partial<ParticipantMappingOptions> = {}): ParticipantMappingOptions {
  return { mapping, autoMapping: true, defaultRegion: 'US', directory: new InMemoryUserDirectory(users), ...overrides };
}

async function reasonFor(participant: ParticipantIdentity, overrides: Partial<ParticipantMappingOptions> = {}): Promise<string> {
  const outcome = await mapParticipant(participant, options(overrides));
  assert.equal(outcome.status, 'unmapped', JSON.stringify(outcome));
  return outcome.status === 'unmapped' ? outcome.reason : '';
}

describe('mapParticipant: the rule', () => {
  test('uses the mapping file first, whatever the spelling of the number', async () => {
    for (const phone of ['+12025550143', '(202) 555-0143', '001 202 555 0143']) {
      assert.deepEqual(await mapParticipant({ phone, email: 'dee@contoso.com' }, options()), {
        status: 'mapped',
        userId: 'u-ana',
        userPrincipalName: 'ana.diaz@contoso.com',
        via: 'mapping-file',
      });
    }
  });

  test('falls back to the email address when the mapped address is not a valid user', async () => {
    const outcome = await mapParticipant({ phone: '+13105550100', email: 'D@Contoso.com' }, options());
    assert.deepEqual(outcome, { status: 'mapped', userId: 'u-dee', userPrincipalName: 'dee@contoso.onmicrosoft.com', via: 'email' });
  });

  test('matches a mapped address through mail, and an email address through a proxy address', async () => {
    assert.equal((await mapParticipant({ phone: '+13105550101' }, options())).status, 'mapped');
    assert.deepEqual(await mapParticipant({ email: 'd@contoso.com' }, options({ mapping: undefined })), {
      status: 'mapped',
      userId: 'u-dee',
      userPrincipalName: 'dee@contoso.onmicrosoft.com',
      via: 'email',
    });
  });

  test('ignores the email address when automatic mapping is off', async () => {
    assert.equal(await reasonFor({ email: 'dee@contoso.com' }, { autoMapping: false }), 'dee@contoso.com: automatic mapping is off');
    assert.equal(
      await reasonFor({ phone: '+13105550199', email: 'dee@contoso.com' }, { autoMapping: false }),
      '+1 310 555 0199: not in the mapping file; email address dee@contoso.com: automatic mapping is off',
    );
  });

  test('says why in words', async () => {
    assert.equal(await reasonFor({ phone: '+13105550199' }), '+1 310 555 0199: not in the mapping file, no email address');
    assert.equal(await reasonFor({ email: 'bob@contoso.com' }), 'bob@contoso.com: account disabled');
    assert.equal(await reasonFor({ email: 'nobody@contoso.com' }), 'nobody@contoso.com: not found in the directory');
    assert.equal(await reasonFor({ phone: '+13105550100' }), '+1 310 555 0100: mapped to x@contoso.com, which has no mailbox; no email address');
    assert.equal(
      await reasonFor({ phone: '+13105550102', email: 'Bob@contoso.com' }),
      '+1 310 555 0102: mapped to gone@contoso.com, which is not found in the directory; email address Bob@contoso.com: account disabled',
    );
    assert.equal(await reasonFor({ phone: '(310) 555-0199' }, { mapping: null }), '+1 310 555 0199: no mapping file, no email address');
    assert.equal(await reasonFor({ phone: '22395' }), '22395: not a valid phone number, no email address');
    assert.equal(await reasonFor({ wechatId: 'wxid_li', displayName: 'Li Wei' }), 'Li Wei (WeChat ID wxid_li): no phone number or email address');
    assert.equal(await reasonFor({ wecomUserId: 'LiWei' }), 'WeCom user ID LiWei: no phone number or email address');
    assert.equal(await reasonFor({ phone: ' ', email: '', displayName: 'Someone' }), 'Someone: no phone number or email address');
  });

  test('lets a directory failure through rather than calling the participant unmapped', async () => {
    const down = { resolve: () => Promise.reject(new Error('Graph unavailable')) };
    await assert.rejects(mapParticipant({ email: 'a@contoso.com' }, options({ directory: down })), /Graph unavailable/);
  });
});

describe('mapItemParticipants', () => {
  test('lists each user once, even when the user appears twice or by two routes', async () => {
    const account = { phone: '+12025550143', email: 'ana.diaz@contoso.com' };
    const participants = [
      account,
      { ...account, displayName: 'Ana Diaz' }, // "from", the same person
      { email: 'Ana.Diaz@contoso.com', displayName: 'Ana (email only)' }, // reaches Ana by email
      { phone: '+13105550199', displayName: '+1 310 555 0199' },
      { email: 'dee@contoso.com' },
      { wechatId: 'wxid_li', displayName: 'Li Wei' },
    ];
    const result = await mapItemParticipants(participants, options());
    assert.equal(result.status, 'mapped');
    assert.deepEqual(
      result.mailboxes.map((m) => [m.userId, m.via, m.participants]),
      [
        ['u-ana', 'mapping-file', [participants[0], participants[2]]],
        ['u-dee', 'email', [participants[4]]],
      ],
    );
    assert.deepEqual(
      result.unmapped.map((u) => u.reason),
      ['+1 310 555 0199: not in the mapping file, no email address', 'Li Wei (WeChat ID wxid_li): no phone number or email address'],
    );
    assert.equal(result.unmapped[0]?.participant, participants[3]);
  });

  test('calls an item without any mailbox unmapped as a whole, with every reason', async () => {
    const participants = [{ phone: '+13105550199' }, { email: 'bob@contoso.com' }];
    const result = await mapItemParticipants(participants, options());
    assert.equal(result.status, 'unmapped');
    assert.deepEqual(result.mailboxes, []);
    assert.equal(result.unmapped.length, 2);
    assert.equal(
      describeUnmappedItem(result),
      'no participant maps to a Microsoft 365 mailbox (+1 310 555 0199: not in the mapping file, no email address; bob@contoso.com: account disabled)',
    );
    assert.equal((await mapItemParticipants([], options())).status, 'unmapped');
  });

  test('asks the directory about each address once per run through the cache', async () => {
    const inner = new InMemoryUserDirectory(users);
    const directory = new CachingUserDirectory(inner);
    for (let i = 0; i < 3; i++) {
      await mapItemParticipants([{ phone: '+12025550143' }, { email: 'dee@contoso.com' }, { email: 'DEE@contoso.com' }], options({ directory }));
    }
    assert.deepEqual(inner.asked.sort(), ['ana.diaz@contoso.com', 'dee@contoso.com']);
  });
});

describe('canEnableConnector', () => {
  test('refuses only automatic mapping off with no mapping file, and says what to do', () => {
    assert.deepEqual(canEnableConnector({ autoMapping: true, hasMappingFile: false }), { allowed: true });
    assert.deepEqual(canEnableConnector({ autoMapping: false, hasMappingFile: true }), { allowed: true });
    assert.deepEqual(canEnableConnector({ autoMapping: true, hasMappingFile: true }), { allowed: true });
    const refused = canEnableConnector({ autoMapping: false, hasMappingFile: false });
    assert.equal(refused.allowed, false);
    assert.match(refused.allowed ? '' : refused.message, /automatic user mapping off and no mapping file.*Turn on automatic user mapping, upload a mapping file/);
  });
});

// ---- The rule against any mix of mapping file, automatic mapping and directory state ----------

type UserState = 'valid' | 'disabled' | 'no-mailbox' | 'missing';
const PEOPLE = 6;
const phoneOf = (i: number): string => `+1212555010${i}`;
const addressOf = (k: number): string => `p${k}@contoso.com`;

function spell(e164: string, how: number): string {
  const d = e164.slice(2);
  return [e164, `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, `001${d}`, `1.${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`][how % 4] as string;
}

const scenario = fc.record({
  states: fc.array(fc.constantFrom<UserState>('valid', 'disabled', 'no-mailbox', 'missing'), { minLength: PEOPLE, maxLength: PEOPLE }),
  // How each user is known by p{k}@contoso.com: as UPN, mail, or a proxy address only.
  routes: fc.array(fc.constantFrom('upn', 'mail', 'proxy'), { minLength: PEOPLE, maxLength: PEOPLE }),
  // Mapping file: phone i -> address k, or absent; null = no mapping file at all.
  mapping: fc.option(fc.array(fc.option(fc.nat({ max: PEOPLE - 1 })), { minLength: PEOPLE, maxLength: PEOPLE }), { nil: null }),
  autoMapping: fc.boolean(),
  participants: fc.array(
    fc.record({
      phone: fc.option(fc.record({ person: fc.nat({ max: PEOPLE - 1 }), spelling: fc.nat({ max: 3 }) }), { nil: undefined }),
      email: fc.option(fc.record({ person: fc.nat({ max: PEOPLE - 1 }), upper: fc.boolean() }), { nil: undefined }),
      wechatId: fc.option(fc.constantFrom('wxid_a', 'wxid_b'), { nil: undefined }),
    }),
    { maxLength: 8 },
  ),
});

describe('mapItemParticipants (property)', () => {
  test('follows the rule for any mapping file, automatic mapping and directory state', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const directoryUsers: DirectoryUser[] = [];
        s.states.forEach((state, k) => {
          if (state === 'missing') return;
          const address = addressOf(k);
          const route = s.routes[k];
          directoryUsers.push({
            id: `u${k}`,
            userPrincipalName: route === 'upn' ? address : `user${k}@contoso.onmicrosoft.com`,
            mail: route === 'mail' ? address.toUpperCase() : null,
            proxyAddresses: route === 'proxy' ? [`SMTP:primary${k}@contoso.com`, `smtp:${address}`] : [],
            accountEnabled: state !== 'disabled',
            hasMailbox: state !== 'no-mailbox',
          });
        });
        const customMapping: CustomMapping | null =
          s.mapping === null
            ? null
            : {
                version: 1,
                defaultRegion: 'US',
                entries: Object.fromEntries(s.mapping.flatMap((k, i) => (k === null ? [] : [[phoneOf(i), addressOf(k)]]))),
              };
        const participants: ParticipantIdentity[] = s.participants.map((p) => ({
          ...(p.phone === undefined ? {} : { phone: spell(phoneOf(p.phone.person), p.phone.spelling) }),
          ...(p.email === undefined ? {} : { email: p.email.upper ? addressOf(p.email.person).toUpperCase() : addressOf(p.email.person) }),
          ...(p.wechatId === undefined ? {} : { wechatId: p.wechatId }),
        }));

        const result = await mapItemParticipants(participants, {
          mapping: customMapping,
          autoMapping: s.autoMapping,
          defaultRegion: 'US',
          directory: new CachingUserDirectory(new InMemoryUserDirectory(directoryUsers)),
        });

        // The rule, stated on the generated model rather than on strings.
        const expectedUser = (p: (typeof s.participants)[number]): { user: string; via: 'mapping-file' | 'email' } | undefined => {
          if (s.mapping !== null && p.phone !== undefined) {
            const k = s.mapping[p.phone.person];
            if (k !== null && k !== undefined && s.states[k] === 'valid') return { user: `u${k}`, via: 'mapping-file' };
          }
          if (s.autoMapping && p.email !== undefined && s.states[p.email.person] === 'valid') return { user: `u${p.email.person}`, via: 'email' };
          return undefined;
        };
        const identity = (p: (typeof s.participants)[number]): string => JSON.stringify([p.phone?.person, p.email?.person, p.wechatId]);
        const expectedMailboxes = new Map<string, { via: string; members: Set<string> }>();
        const expectedUnmapped = new Set<string>();
        for (const p of s.participants) {
          const target = expectedUser(p);
          if (target === undefined) {
            expectedUnmapped.add(identity(p));
            continue;
          }
          const box = expectedMailboxes.get(target.user) ?? { via: 'email', members: new Set<string>() };
          if (target.via === 'mapping-file') box.via = 'mapping-file';
          box.members.add(identity(p));
          expectedMailboxes.set(target.user, box);
        }
        const identityOf = (participant: ParticipantIdentity): string => identity(s.participants[participants.indexOf(participant)] as (typeof s.participants)[number]);

        assert.equal(result.status, expectedMailboxes.size > 0 ? 'mapped' : 'unmapped');
        assert.deepEqual(
          Object.fromEntries(result.mailboxes.map((m) => [m.userId, { via: m.via, members: m.participants.map(identityOf).sort() }])),
          Object.fromEntries([...expectedMailboxes].map(([user, box]) => [user, { via: box.via, members: [...box.members].sort() }])),
        );
        assert.equal(new Set(result.mailboxes.map((m) => m.userId)).size, result.mailboxes.length, 'each user once');
        assert.deepEqual(result.unmapped.map((u) => identityOf(u.participant)).sort(), [...expectedUnmapped].sort());
        for (const { participant, reason } of result.unmapped) {
          const subject =
            participant.phone !== undefined
              ? '+1 212 555 010'
              : (participant.email ?? (participant.wechatId === undefined ? 'a participant without any identifier' : `WeChat ID ${participant.wechatId}`));
          assert.ok(reason.startsWith(subject), `${reason} should start with ${subject}`);
          if (participant.phone === undefined && participant.email === undefined) assert.match(reason, /no phone number or email address$/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
