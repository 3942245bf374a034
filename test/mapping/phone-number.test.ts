import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatPhoneNumberForDisplay,
  InvalidRegionError,
  normalizePhoneNumber,
  parseRegionCode,
  PhoneNumberError,
  tryNormalizePhoneNumber,
  type RegionCode,
} from '../../shared/mapping/phone-number';

const US = { defaultRegion: 'US' as RegionCode };

describe('normalizePhoneNumber', () => {
  test('reads the common US spellings of one number as one E.164 number', () => {
    for (const text of ['(202) 555-0143', '202.555.0143', '+1 202 555 0143', '0012025550143', '1-202-555-0143', ' 202 555 0143 ', '011 1 202 555 0143']) {
      assert.equal(normalizePhoneNumber(text, US), '+12025550143', text);
    }
  });

  test('reads "00" as "+" where the region dials abroad with another prefix', () => {
    assert.equal(normalizePhoneNumber('00 44 20 7946 0958', US), '+442079460958');
    assert.equal(normalizePhoneNumber('(00) 44 20 7946 0958', US), '+442079460958');
    assert.equal(normalizePhoneNumber('0081 3 1234 5678', { defaultRegion: 'JP' }), '+81312345678');
    assert.equal(normalizePhoneNumber('0044 20 7946 0958', { defaultRegion: 'AU' }), '+442079460958');
  });

  test("keeps a region's own international prefixes that begin with 00", () => {
    // Australia dials abroad with 0011; reading its "00" as "+" would give "+11 …".
    assert.equal(normalizePhoneNumber('0011 44 20 7946 0958', { defaultRegion: 'AU' }), '+442079460958');
    // Colombia's carrier-select prefix 009: "+91…" (India) would be wrong.
    assert.equal(normalizePhoneNumber('009 1 202 555 0143', { defaultRegion: 'CO' }), '+12025550143');
  });

  test('reads a number without country code in the default region', () => {
    assert.equal(normalizePhoneNumber('020 7946 0958', { defaultRegion: 'GB' }), '+442079460958');
    assert.equal(normalizePhoneNumber('+44 (0) 20 7946 0958', US), '+442079460958');
    assert.equal(normalizePhoneNumber('138 0013 8000', { defaultRegion: 'CN' }), '+8613800138000');
  });

  test('throws a typed error naming the text and the cause', () => {
    const cases: Array<[string, PhoneNumberError['problem']]> = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['not a number', 'not-a-number'],
      ['call 202 555 0143 now', 'not-a-number'],
      ['+999 1234 5678', 'unknown-country-code'],
      ['555-0143', 'too-short'],
      ['+1 202 555 0143 99', 'too-long'],
      ['+1 555 555 0143', 'invalid'],
      ['202 555 0143 ext. 12', 'has-extension'],
    ];
    for (const [text, problem] of cases) {
      assert.throws(
        () => normalizePhoneNumber(text, US),
        (error: unknown) => {
          assert.ok(error instanceof PhoneNumberError, text);
          assert.equal(error.problem, problem, text);
          assert.equal(error.input, text);
          assert.match(error.message, new RegExp(`^"${escapeRegExp(text.trim())}" is not a readable phone number: `));
          return true;
        },
      );
    }
  });

  test('tryNormalizePhoneNumber returns the error instead of throwing', () => {
    const result = tryNormalizePhoneNumber('12', US);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error.problem === 'too-short');
    assert.deepEqual(tryNormalizePhoneNumber('+12025550143', US), { ok: true, e164: '+12025550143' });
  });
});

describe('formatPhoneNumberForDisplay', () => {
  test('formats in international form and leaves unreadable text as captured', () => {
    assert.equal(formatPhoneNumberForDisplay('+13105550199', US), '+1 310 555 0199');
    assert.equal(formatPhoneNumberForDisplay('(310) 555-0199', US), '+1 310 555 0199');
    assert.equal(formatPhoneNumberForDisplay('020 7946 0958', { defaultRegion: 'GB' }), '+44 20 7946 0958');
    assert.equal(formatPhoneNumberForDisplay(' 22395 ', US), '22395');
  });
});

describe('parseRegionCode', () => {
  test('accepts any case and refuses unknown regions', () => {
    assert.equal(parseRegionCode(' gb '), 'GB');
    assert.throws(() => parseRegionCode('XX'), InvalidRegionError);
    assert.throws(() => parseRegionCode('USA'), /"USA" is not a supported region/);
  });
});

/** A valid number per region: calling code, national significant number, national prefix. */
const SAMPLES: ReadonlyArray<{ region: RegionCode; callingCode: string; national: string; trunk: string }> = [
  { region: 'US', callingCode: '1', national: '2025550143', trunk: '1' },
  { region: 'CA', callingCode: '1', national: '4165550123', trunk: '1' },
  { region: 'GB', callingCode: '44', national: '2079460958', trunk: '0' },
  { region: 'DE', callingCode: '49', national: '301234567', trunk: '0' },
  { region: 'FR', callingCode: '33', national: '612345678', trunk: '0' },
  { region: 'AU', callingCode: '61', national: '412345678', trunk: '0' },
  { region: 'JP', callingCode: '81', national: '312345678', trunk: '0' },
  { region: 'IN', callingCode: '91', national: '9876543210', trunk: '0' },
  { region: 'CN', callingCode: '86', national: '13800138000', trunk: '0' },
  { region: 'SG', callingCode: '65', national: '81234567', trunk: '' },
];

describe('formatting variants (property)', () => {
  test('every spelling of a number, in any of its forms, normalises to one E.164 number', () => {
    const separator = fc.constantFrom(' ', '.', '-', '', ' - ');
    const variant = fc.record({
      sample: fc.constantFrom(...SAMPLES),
      form: fc.constantFrom('plus', 'double-zero', 'trunk', 'bare'),
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 4 }),
      separators: fc.array(separator, { minLength: 5, maxLength: 5 }),
      parenthesize: fc.boolean(),
      afterPrefix: separator,
      padding: fc.constantFrom('', ' ', '\t'),
    });
    fc.assert(
      fc.property(variant, ({ sample, form, cuts, separators, parenthesize, afterPrefix, padding }) => {
        const groups = splitAt(sample.national, cuts);
        if (parenthesize && groups.length > 1) groups[0] = `(${groups[0]})`;
        const body = groups.map((group, i) => (i === 0 ? group : `${separators[i - 1]}${group}`)).join('');
        const prefix =
          form === 'plus' ? `+${sample.callingCode}` : form === 'double-zero' ? `00${sample.callingCode}` : form === 'trunk' ? sample.trunk : '';
        const text = `${padding}${prefix}${prefix === '' ? '' : afterPrefix}${body}${padding}`;
        assert.equal(normalizePhoneNumber(text, { defaultRegion: sample.region }), `+${sample.callingCode}${sample.national}`, text);
        // A number written with its country code reads the same whatever the default region.
        if (form === 'plus') assert.equal(normalizePhoneNumber(text, US), `+${sample.callingCode}${sample.national}`, text);
      }),
      { numRuns: 300 },
    );
  });

  test('the display form reads back to the same number', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), (sample) => {
        const e164 = `+${sample.callingCode}${sample.national}`;
        const shown = formatPhoneNumberForDisplay(e164, { defaultRegion: sample.region });
        assert.notEqual(shown, e164);
        assert.equal(normalizePhoneNumber(shown, US), e164);
      }),
      { numRuns: SAMPLES.length * 3 },
    );
  });
});

function splitAt(digits: string, cuts: readonly number[]): string[] {
  const points = [...cuts].filter((cut) => cut < digits.length).sort((a, b) => a - b);
  const groups: string[] = [];
  let start = 0;
  for (const point of points) {
    groups.push(digits.slice(start, point));
    start = point;
  }
  groups.push(digits.slice(start));
  return groups;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
