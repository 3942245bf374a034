import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodeHeaderValue, MAX_SUBJECT_LENGTH, oneLine, toGraphMessage } from '../../shared/conversion';
import { ItemValidationError, parseArchivedItem, type ArchivedItem } from '../../shared/items';
import { bodyTextOf, foreignMarkup, groupMmsItem, wechatItem } from './item-fixtures';

const UNSAFE_IN_A_LINE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Any UTF-16 text, lone surrogates included, weighted towards the characters that cause trouble. */
const hostileText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\u0000', '\u202e', '\u2067', '\u2028', '%', ' ') },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  ),
  maxLength: 80,
});

/** Ids cannot hold controls (the parser refuses them) but may hold anything else. */
const hostileId = fc.string({
  unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.constantFrom('%', '"', ' ', '<', '\u202e', '群')),
  minLength: 1,
  maxLength: 60,
});

function parseOrUndefined(raw: Record<string, unknown>): ArchivedItem | undefined {
  try {
    return parseArchivedItem(raw);
  } catch (error) {
    assert.ok(error instanceof ItemValidationError);
    return undefined;
  }
}

describe('whatever the source sends, the message stays well-formed', () => {
  test('subjects, names and headers stay on one safe line; the body text reads back exactly', () => {
    fc.assert(
      fc.property(hostileText, hostileText, hostileId, hostileText, (text, displayName, conversationId, title) => {
        let converted = 0;
        for (const raw of [
          groupMmsItem({ text, from: { phone: '+13105550100', displayName }, conversation: { id: conversationId, type: 'group', title } }),
          wechatItem('chat', { text, from: { wechatId: 'wxid_x', displayName }, conversation: { id: conversationId, type: 'direct' } }),
        ]) {
          const item = parseOrUndefined(raw);
          if (item === undefined) {
            continue;
          }
          converted += 1;
          const { createBody } = toGraphMessage(item);
          assert.doesNotMatch(createBody.subject, UNSAFE_IN_A_LINE);
          assert.ok(createBody.subject.length > 0 && createBody.subject.length <= MAX_SUBJECT_LENGTH);
          for (const recipient of [createBody.from, ...createBody.toRecipients]) {
            assert.doesNotMatch(recipient.emailAddress.name, UNSAFE_IN_A_LINE);
            assert.match(recipient.emailAddress.address, /^[^\s@<>"]+@[a-z0-9.-]+$/);
          }
          for (const entry of createBody.internetMessageHeaders) {
            assert.match(entry.value, /^[\x21-\x7e]{1,256}$/);
          }
          assert.deepEqual(foreignMarkup(createBody.body.content), []);
          assert.doesNotMatch(createBody.body.content, /[\uD800-\uDFFF](?<![\uD800-\uDBFF][\uDC00-\uDFFF])(?![\uDC00-\uDFFF])/);
          if (text.length > 0 && !/[\p{Cc}\uD800-\uDFFF]/u.test(text.replace(/[\t\r\n]/g, ''))) {
            const expected = text.replace(/\r\n|[\r\u2028\u2029]/g, '\n');
            assert.equal(bodyTextOf(createBody.body.content), expected);
          }
        }
        return converted > 0 || conversationId.trim().length === 0;
      }),
      { numRuns: 300, seed: 20261120 },
    );
  });

  test('a header value decodes back exactly unless cut, and a cut one stays bounded and distinct', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (value) => {
        const encoded = encodeHeaderValue(value);
        assert.match(encoded, /^[\x21-\x7e]*$/);
        assert.ok(encoded.length <= 256);
        if (!/~[0-9a-f]{8}$/.test(encoded) || encoded.length < 250) {
          assert.equal(decodeURIComponent(encoded), value);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
    const a = encodeHeaderValue('群'.repeat(200));
    const b = encodeHeaderValue(`${'群'.repeat(199)}组`);
    assert.ok(a.length <= 256 && b.length <= 256);
    assert.match(a, /^(%E7%BE%A4)+~[0-9a-f]{8}$/);
    assert.notEqual(a, b);
    assert.equal(encodeHeaderValue('tm-1\r\nBcc: x%'), 'tm-1%0D%0ABcc:%20x%25');
  });

  test('oneLine keeps emoji sequences whole when it cuts', () => {
    const family = '👨‍👩‍👧‍👦';
    const cut = oneLine(`ab${family.repeat(10)}`, 20);
    assert.ok(cut.length <= 20);
    assert.equal(cut, `ab${family}…`);
  });

  test('the markup check used above does catch injected markup', () => {
    assert.notDeepEqual(foreignMarkup('<p dir="auto">x</p><img src="https://evil.example/x.png">'), []);
    assert.notDeepEqual(foreignMarkup('<p style="background:url(https://evil.example/x)">x</p>'), []);
    assert.notDeepEqual(foreignMarkup('<p onclick="x()">x</p>'), []);
    assert.notDeepEqual(foreignMarkup('<p>a < b</p>'), []);
  });
});
