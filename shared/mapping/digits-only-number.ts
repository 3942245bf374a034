import { formatPhoneNumberForDisplay, tryNormalizePhoneNumber, type NormalizeResult, type RegionCode } from './phone-number';

/**
 * A number written as bare digits ("447911123456") that reads as a valid number both ways: as a
 * national number of the region and, with a "+" before it, as an international one, and the two
 * are different numbers. It is reported rather than guessed.
 */
export interface AmbiguousNumber {
  readonly ok: false;
  readonly ambiguous: true;
  readonly input: string;
  /** E.164 of the national reading. */
  readonly national: string;
  /** E.164 of the international reading. */
  readonly international: string;
  readonly message: string;
}

export type WrittenNumberReading = NormalizeResult | AmbiguousNumber;

/** Bare digits not starting with 0 (a leading 0 is a trunk or "00" international prefix, read as before). */
const DIGITS_ONLY = /^[1-9]\d{5,14}$/;

/**
 * How a file writes numbers as bare digits: `national` in our own format, where "2025550143" has
 * always meant a number of the connector's region; `international` in TeleMessage's mapping file,
 * which documents its numbers as international digits without "+".
 */
export type BareDigitsConvention = 'national' | 'international';

/**
 * Reads a number as a mapping file writes it. A bare-digit number ("447911123456") is read as a
 * national number of `defaultRegion` when it is a valid one, and as international when it is not.
 * When both readings are valid and differ ("2015550143" in the US is +1 201 555 0143, or an
 * Egyptian +20 number), the file's convention decides where it has one: a file of our format means
 * the national number. In TeleMessage's file, whose numbers are meant to be international but
 * whose users also type national ones, such a number is ambiguous and is reported, not guessed.
 * Any other way of writing a number is read as {@link tryNormalizePhoneNumber} reads it.
 */
export function readWrittenNumber(input: string, defaultRegion: RegionCode, convention: BareDigitsConvention = 'national'): WrittenNumberReading {
  const text = input.trim();
  const national = tryNormalizePhoneNumber(text, { defaultRegion });
  if (!DIGITS_ONLY.test(text)) return national;
  if (national.ok && convention === 'national') return national;
  const international = tryNormalizePhoneNumber(`+${text}`, { defaultRegion });
  if (!international.ok) return national;
  if (!national.ok || national.e164 === international.e164) return international;
  const show = (e164: string): string => formatPhoneNumberForDisplay(e164, { defaultRegion });
  return {
    ok: false,
    ambiguous: true,
    input: text,
    national: national.e164,
    international: international.e164,
    message:
      `"${text}" is ambiguous: as a national number of region ${defaultRegion} it is ${show(national.e164)}, ` +
      `as an international number ${show(international.e164)}; write it with its country code and a "+" (${show(international.e164)} or ${show(national.e164)})`,
  };
}
