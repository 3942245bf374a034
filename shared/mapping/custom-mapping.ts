import { isValidAddress, normalizeAddress } from './email-address';
import { isSupportedCountry } from 'libphonenumber-js';
import type { RegionCode } from './phone-number';

export const CUSTOM_MAPPING_VERSION = 1;

/**
 * The administrator's mobile-number-to-user mapping, as accepted from a mapping file. Plain data
 * that survives JSON.stringify/JSON.parse unchanged, so that it can be stored and read back.
 */
export interface CustomMapping {
  readonly version: typeof CUSTOM_MAPPING_VERSION;
  /** The region numbers without a country code were read in when the file was accepted. */
  readonly defaultRegion: RegionCode;
  /** E.164 number ("+12025550143") → Microsoft 365 address, as written in the file (trimmed). */
  readonly entries: Readonly<Record<string, string>>;
}

/** Thrown by {@link customMappingFromJson} for data that is not a custom mapping. */
export class InvalidCustomMappingError extends Error {
  override readonly name = 'InvalidCustomMappingError';

  constructor(readonly field: string, readonly reason: string) {
    super(`Stored custom mapping is invalid: ${field} ${reason}`);
  }
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** The address the mapping gives an E.164 number, if any. */
export function lookupMappedAddress(mapping: CustomMapping, e164: string): string | undefined {
  return Object.hasOwn(mapping.entries, e164) ? mapping.entries[e164] : undefined;
}

/** How many numbers the mapping maps. */
export function customMappingSize(mapping: CustomMapping): number {
  return Object.keys(mapping.entries).length;
}

/**
 * Checks data read back from storage (the result of JSON.parse) and returns it as a mapping.
 * @throws InvalidCustomMappingError naming the first field that is wrong.
 */
export function customMappingFromJson(value: unknown): CustomMapping {
  if (!isRecord(value)) throw new InvalidCustomMappingError('the value', 'is not an object');
  if (value.version !== CUSTOM_MAPPING_VERSION) {
    throw new InvalidCustomMappingError('version', `is ${JSON.stringify(value.version)}, expected ${CUSTOM_MAPPING_VERSION}`);
  }
  const region = value.defaultRegion;
  if (typeof region !== 'string' || !isSupportedCountry(region)) {
    throw new InvalidCustomMappingError('defaultRegion', `is ${JSON.stringify(region)}, not a supported region`);
  }
  if (!isRecord(value.entries)) throw new InvalidCustomMappingError('entries', 'is not an object');
  const entries: Record<string, string> = {};
  for (const [number, address] of Object.entries(value.entries)) {
    if (!E164.test(number)) throw new InvalidCustomMappingError(`entries key ${JSON.stringify(number)}`, 'is not an E.164 number');
    if (typeof address !== 'string' || !isValidAddress(address)) {
      throw new InvalidCustomMappingError(`entries[${JSON.stringify(number)}]`, 'is not a valid address');
    }
    entries[number] = normalizeAddress(address);
  }
  return { version: CUSTOM_MAPPING_VERSION, defaultRegion: region, entries };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
