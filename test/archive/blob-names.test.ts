import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_SEGMENT_LENGTH,
  attachmentBlobName,
  decodeBlobNameSegment,
  encodeBlobNameSegment,
  itemBlobName,
  parseItemBlobName,
} from '../../shared/archive/blob-names';

/** Characters an encoded segment may hold: no `/`, `\`, `%`, `?`, `#`, spaces or controls. */
const SAFE = /^[A-Za-z0-9._~-]+$/;

describe('blob names', () => {
  test('the layout names.md fixes, with plain ids unchanged', () => {
    assert.equal(itemBlobName('conn-1', 'tm-7f3c01'), 'conn-1/tm-7f3c01.json');
    assert.equal(attachmentBlobName('conn-1', 'tm-7f3c01', 'att-01.jpg'), 'conn-1/tm-7f3c01/att-01.jpg');
  });

  test('characters a blob name cannot hold safely are escaped as ~XX of their UTF-8 bytes', () => {
    assert.equal(encodeBlobNameSegment('a/b'), 'a~2Fb');
    assert.equal(encodeBlobNameSegment('a\\b c'), 'a~5Cb~20c');
    assert.equal(encodeBlobNameSegment('100%2F'), '100~252F');
    assert.equal(encodeBlobNameSegment('x~y'), 'x~7Ey');
    assert.equal(encodeBlobNameSegment('é'), '~C3~A9');
    assert.equal(encodeBlobNameSegment('👋'), '~F0~9F~91~8B');
    assert.equal(encodeBlobNameSegment('\u0000\n'), '~00~0A');
    assert.equal(encodeBlobNameSegment('q?#'), 'q~3F~23');
  });

  test('no segment ends with a dot or is a dot segment', () => {
    assert.equal(encodeBlobNameSegment('.'), '~2E');
    assert.equal(encodeBlobNameSegment('..'), '.~2E');
    assert.equal(encodeBlobNameSegment('name.'), 'name~2E');
    assert.equal(encodeBlobNameSegment('.hidden'), '.hidden');
  });

  test('empty ids and lone surrogates are refused', () => {
    assert.throws(() => encodeBlobNameSegment(''), TypeError);
    assert.throws(() => encodeBlobNameSegment('a\uD800b'), /lone surrogates/);
  });

  test('encoding is safe, deterministic, reversible and injective for any id', () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(id, (value) => {
        const encoded = encodeBlobNameSegment(value);
        assert.match(encoded, SAFE);
        assert.ok(!encoded.endsWith('.'));
        assert.equal(encodeBlobNameSegment(value), encoded);
        assert.equal(decodeBlobNameSegment(encoded), value);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(id, id, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(encodeBlobNameSegment(a), encodeBlobNameSegment(b));
      }),
      { numRuns: 500 },
    );
  });

  test('only canonical segments decode', () => {
    assert.equal(decodeBlobNameSegment('a~2fb'), undefined, 'lower-case hex is not canonical');
    assert.equal(decodeBlobNameSegment('a~41'), undefined, '"A" is never escaped');
    assert.equal(decodeBlobNameSegment('a/b'), undefined);
    assert.equal(decodeBlobNameSegment('~FF'), undefined, 'not UTF-8');
  });

  test('overlong ids get a bounded name ending in their SHA-256, distinct per id', () => {
    const long = 'x'.repeat(300);
    const a = encodeBlobNameSegment(`${long}a`);
    const b = encodeBlobNameSegment(`${long}b`);
    assert.ok(a.length <= MAX_SEGMENT_LENGTH && b.length <= MAX_SEGMENT_LENGTH);
    assert.notEqual(a, b);
    assert.match(a, /^x+~~[0-9a-f]{64}$/);
    assert.equal(decodeBlobNameSegment(a), undefined);
    // The readable prefix never splits an escape.
    const escaped = encodeBlobNameSegment('/'.repeat(200));
    assert.match(escaped, /^(~2F)+~~[0-9a-f]{64}$/);
    assert.equal(encodeBlobNameSegment('/'.repeat(200)), escaped);
  });

  test('item blob names parse back into connector and item ids', () => {
    const name = itemBlobName('conn/1', 'tm ✓.');
    assert.deepEqual(parseItemBlobName(name), { connectorId: 'conn/1', itemId: 'tm ✓.' });
    assert.equal(parseItemBlobName('conn-1/tm-1'), undefined);
    assert.equal(parseItemBlobName('conn-1/x/tm-1.json'), undefined);
  });
});
