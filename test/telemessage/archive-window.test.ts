import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArchiveWindowError, validateWindow } from '../../shared/telemessage';

describe('validateWindow', () => {
  const from = new Date('2026-11-01T00:00:00Z');
  test('accepts up to 31 days', () => {
    validateWindow({ from, to: new Date('2026-12-02T00:00:00Z') });
    validateWindow({ from, to: new Date(from.getTime() + 1) });
  });
  test('refuses empty, reversed, overlong and invalid windows', () => {
    assert.throws(() => validateWindow({ from, to: from }), ArchiveWindowError);
    assert.throws(() => validateWindow({ from, to: new Date('2026-10-31T00:00:00Z') }), /must be earlier/);
    assert.throws(() => validateWindow({ from, to: new Date('2026-12-02T00:00:00.001Z') }), /longer than 31 days/);
    assert.throws(() => validateWindow({ from: new Date('nonsense'), to: from }), /"from" must be a valid Date/);
  });
});
