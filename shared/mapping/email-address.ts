/**
 * Email addresses as the mapping uses them: user principal names and SMTP addresses. Microsoft
 * 365 compares them without regard to case, so every comparison goes through {@link addressKey}.
 */

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
// RFC 5322 dot-atom local part (the form Entra ID accepts in a UPN or SMTP address; quoted local
// parts are not allowed there) and a DNS host name with at least two labels.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The address as it should be stored and shown: surrounding white space removed. */
export function normalizeAddress(address: string): string {
  return address.trim();
}

/** The key under which two spellings of one address compare equal. */
export function addressKey(address: string): string {
  return address.trim().toLowerCase();
}

/** True when two spellings name the same address. */
export function sameAddress(a: string, b: string): boolean {
  return addressKey(a) === addressKey(b);
}

/** True for an address that can be a user principal name or SMTP address ("ana.diaz@contoso.com"). */
export function isValidAddress(address: string): boolean {
  const value = normalizeAddress(address);
  if (value.length === 0 || value.length > MAX_ADDRESS_LENGTH) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return local.length <= MAX_LOCAL_PART_LENGTH && LOCAL_PART.test(local) && DOMAIN.test(domain);
}
