import {
  isSupportedCountry,
  Metadata,
  parsePhoneNumberWithError,
  ParseError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js';

/**
 * An ISO 3166-1 alpha-2 region known to libphonenumber ("US", "GB", "CN", …). A number written
 * without a country code is read as a number of this region.
 */
export type RegionCode = CountryCode;

/** Why a text could not be read as a phone number. */
export type PhoneNumberProblem =
  | 'empty'
  | 'not-a-number'
  | 'unknown-country-code'
  | 'too-short'
  | 'too-long'
  | 'invalid'
  | 'has-extension';

export interface PhoneNumberOptions {
  /** Region of numbers written without a country code. */
  readonly defaultRegion: RegionCode;
}

/** Thrown by {@link normalizePhoneNumber} for a text that is not one valid phone number. */
export class PhoneNumberError extends Error {
  override readonly name = 'PhoneNumberError';

  constructor(
    /** The text as given. */
    readonly input: string,
    readonly problem: PhoneNumberProblem,
    readonly defaultRegion: RegionCode,
  ) {
    super(`"${input.trim()}" is not a readable phone number: ${describePhoneNumberProblem(problem, defaultRegion)}`);
  }
}

/** Thrown by {@link parseRegionCode} for a value that is not a supported region. */
export class InvalidRegionError extends Error {
  override readonly name = 'InvalidRegionError';

  constructor(readonly value: string) {
    super(`"${value}" is not a supported region: use a two-letter ISO 3166-1 code such as US, GB or CN`);
  }
}

export type NormalizeResult =
  | { readonly ok: true; readonly e164: string }
  | { readonly ok: false; readonly error: PhoneNumberError };

/** Human wording of a problem, used in error messages and validation reports. */
export function describePhoneNumberProblem(problem: PhoneNumberProblem, defaultRegion: RegionCode): string {
  switch (problem) {
    case 'empty':
      return 'it is empty';
    case 'not-a-number':
      return 'it is not a phone number';
    case 'unknown-country-code':
      return 'its country code does not exist';
    case 'too-short':
      return 'it has too few digits';
    case 'too-long':
      return 'it has too many digits';
    case 'invalid':
      return `no such number exists (a number without a country code is read as a number of region ${defaultRegion})`;
    case 'has-extension':
      return 'it has an extension, which a mobile number cannot have';
  }
}

/** Reads a configuration value such as "us" or "GB" as a region; throws {@link InvalidRegionError}. */
export function parseRegionCode(value: string): RegionCode {
  const candidate = value.trim().toUpperCase();
  if (!isSupportedCountry(candidate)) throw new InvalidRegionError(value);
  return candidate;
}

/**
 * Normalises a phone number written in any common way to E.164 ("+12025550143"). Numbers without
 * a country code are read in `defaultRegion`; a leading "00" is read as "+" wherever the region's
 * own rules do not already give it a meaning.
 * @throws PhoneNumberError when the text is not one valid phone number.
 */
export function normalizePhoneNumber(input: string, options: PhoneNumberOptions): string {
  const result = tryNormalizePhoneNumber(input, options);
  if (!result.ok) throw result.error;
  return result.e164;
}

/** Like {@link normalizePhoneNumber}, but returns the error instead of throwing it. */
export function tryNormalizePhoneNumber(input: string, options: PhoneNumberOptions): NormalizeResult {
  const { defaultRegion } = options;
  const text = input.trim();
  if (text === '') return failure(input, 'empty', defaultRegion);

  // "00" is the international prefix in most of the world, and people write it for "+" even where
  // it is not (the US dials 011, Japan 010, Russia 810), where libphonenumber would read
  // "0012025550143" as a national number. So where the region's own international prefixes do
  // not begin with "00", a leading "00" is read as "+" first. Where they do (Australia's 0011,
  // Brazil's and Colombia's carrier-select prefixes), the region's own reading comes first and
  // "+" is the fallback.
  const startsWithDoubleZero = /^00[1-9]/.test(text.replace(/[\s().-]/g, ''));
  const readings: Array<() => Reading> = [() => readOnce(text, defaultRegion)];
  if (startsWithDoubleZero) {
    const asInternational = (): Reading => readOnce(`+${text.replace(/^[\s(]*0[\s().-]*0[\s)]*/, '')}`, defaultRegion);
    if (internationalPrefixBeginsWithDoubleZero(defaultRegion)) readings.push(asInternational);
    else readings.unshift(asInternational);
  }
  let firstProblem: PhoneNumberProblem | undefined;
  for (const read of readings) {
    const reading = read();
    if (reading.ok) return reading;
    firstProblem ??= reading.problem;
  }
  return failure(input, firstProblem ?? 'invalid', defaultRegion);
}

/** True when the text reads as a valid phone number in the region. */
export function isReadablePhoneNumber(input: string, options: PhoneNumberOptions): boolean {
  return tryNormalizePhoneNumber(input, options).ok;
}

/**
 * Formats a number for people: "+1 202 555 0143". Text that is not a readable number is returned
 * trimmed and otherwise as given, so that a report can still show what was captured.
 */
export function formatPhoneNumberForDisplay(input: string, options: PhoneNumberOptions): string {
  const result = tryNormalizePhoneNumber(input, options);
  if (!result.ok) return input.trim();
  return parsePhoneNumberWithError(result.e164).formatInternational();
}

type Reading = { readonly ok: true; readonly e164: string } | { readonly ok: false; readonly problem: PhoneNumberProblem };

function readOnce(text: string, defaultRegion: RegionCode): Reading {
  let parsed: PhoneNumber;
  try {
    // extract: false so that a number buried in other text ("call 202 555 0143") is refused,
    // not silently pulled out.
    parsed = parsePhoneNumberWithError(text, { defaultCountry: defaultRegion, extract: false });
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, problem: problemOfParseError(error.message) };
    throw error;
  }
  if (parsed.ext !== undefined) return { ok: false, problem: 'has-extension' };
  if (parsed.isValid()) return { ok: true, e164: parsed.number };
  const length = validatePhoneNumberLength(text, { defaultCountry: defaultRegion });
  return { ok: false, problem: length === undefined ? 'invalid' : problemOfParseError(length) };
}

const doubleZeroRegions = new Map<RegionCode, boolean>();

/** Whether any of the region's international prefixes begins with "00" (cached per region). */
function internationalPrefixBeginsWithDoubleZero(region: RegionCode): boolean {
  let known = doubleZeroRegions.get(region);
  if (known === undefined) {
    const metadata = new Metadata();
    metadata.selectNumberingPlan(region);
    const prefix = metadata.numberingPlan?.IDDPrefix();
    const pattern = prefix === undefined ? undefined : new RegExp(`^(?:${prefix})`);
    known = false;
    // International prefixes are at most five digits here; try every "00xyz".
    for (let i = 0; pattern !== undefined && i < 1000 && !known; i++) known = pattern.test(`00${String(i).padStart(3, '0')}`);
    doubleZeroRegions.set(region, known);
  }
  return known;
}

function problemOfParseError(code: string): PhoneNumberProblem {
  switch (code) {
    case 'INVALID_COUNTRY':
      return 'unknown-country-code';
    case 'TOO_SHORT':
      return 'too-short';
    case 'TOO_LONG':
      return 'too-long';
    case 'NOT_A_NUMBER':
      return 'not-a-number';
    default:
      return 'invalid';
  }
}

function failure(input: string, problem: PhoneNumberProblem, defaultRegion: RegionCode): NormalizeResult {
  return { ok: false, error: new PhoneNumberError(input, problem, defaultRegion) };
}
