import type { DirectoryUser } from '../scenario/directory-users';

/** The tenant domain of the generated directory; `.example` is reserved, so nothing real is named. */
export const BENCH_DOMAIN = 'bench.example';

/**
 * `count` enabled users with mailboxes, `employee01@bench.example` …, each with a mobile number
 * (555-01xx numbers are reserved for fiction; the hundreds go into the area code: 202, 203, …).
 * Deterministic, so two runs import into the same directory.
 */
export function benchDirectoryUsers(count: number): DirectoryUser[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > 999) throw new RangeError(`benchDirectoryUsers: count must be 1 to 999, got ${count}`);
  return Array.from({ length: count }, (_, index): DirectoryUser => {
    const number = index + 1;
    const n = String(number).padStart(2, '0');
    const upn = `employee${n}@${BENCH_DOMAIN}`;
    return {
      id: `00000000-0000-4000-8000-${String(number).padStart(12, '0')}`,
      userPrincipalName: upn,
      mail: upn,
      proxyAddresses: [`SMTP:${upn}`],
      accountEnabled: true,
      hasMailbox: true,
      mobilePhone: `+1 ${202 + Math.floor(number / 100)} 555 01${String(number % 100).padStart(2, '0')}`,
      displayName: `Employee ${n}`,
    };
  });
}

/** The E.164 form of a generated user's mobile number. */
export function e164Of(user: DirectoryUser): string {
  if (user.mobilePhone === null) throw new Error(`User ${user.userPrincipalName} has no mobile number`);
  return user.mobilePhone.replace(/[^\d+]/g, '');
}
