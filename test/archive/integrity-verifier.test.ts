import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { AttachmentIntegrityError } from '../../shared/archive';
import { IntegrityVerifier } from '../../shared/archive/integrity-verifier';

const bytes = Buffer.from('the quick brown fox jumps over the lazy dog');
const sha = createHash('sha256').update(bytes).digest('hex');

async function run(input: Buffer[], expectedSize: number, expectedSha256: string): Promise<{ out: Buffer; verifier: IntegrityVerifier }> {
  const verifier = new IntegrityVerifier({ itemId: 'tm-1', attachmentId: 'att-1', expectedSize, expectedSha256 });
  const out: Buffer[] = [];
  await pipeline(Readable.from(input), verifier, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return { out: Buffer.concat(out), verifier };
}

describe('IntegrityVerifier', () => {
  test('passes matching bytes through unchanged and reports the digest', async () => {
    const { out, verifier } = await run([bytes.subarray(0, 10), bytes.subarray(10)], bytes.length, sha);
    assert.deepEqual(out, bytes);
    assert.equal(verifier.bytes, bytes.length);
    assert.equal(verifier.sha256, sha);
  });

  test('fails at the end on a hash mismatch, naming item, attachment, expected and actual', async () => {
    await assert.rejects(run([bytes], bytes.length, '0'.repeat(64)), (error: unknown) => {
      assert.ok(error instanceof AttachmentIntegrityError);
      assert.deepEqual(error.expected, { size: bytes.length, sha256: '0'.repeat(64) });
      assert.deepEqual(error.actual, { size: bytes.length, sha256: sha });
      assert.match(error.message, /Item "tm-1", attachment "att-1".*sha256/);
      return true;
    });
  });

  test('fails at the end when bytes are missing', async () => {
    await assert.rejects(run([bytes.subarray(0, 20)], bytes.length, sha), /size 20 bytes, expected 43/);
  });

  test('fails as soon as more bytes arrive than expected, without reading to the end', async () => {
    // 129 bytes in all; the failure comes at the chunk that crosses 50, with 86 counted.
    await assert.rejects(run([bytes, bytes, bytes], 50, sha), (error: unknown) => {
      assert.ok(error instanceof AttachmentIntegrityError);
      assert.deepEqual(error.actual, { size: 86, sizeIsLowerBound: true });
      assert.match(error.message, /size at least 86 bytes, expected 50/);
      return true;
    });
  });
});
