import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWindowLevelFailure } from '../../shared/fetch/window-failure';
import { TeleMessageAddressRefusedError, TeleMessageProtocolError } from '../../shared/telemessage/archive-source-errors';

const details = { operation: 'openAttachment', path: '/api/v1/archive/att-network/attachments/a-1' };

test('a TeleMessage host refused at the connection fails the window: no item of it can be fetched, so none is quarantined for it', () => {
  const refused = new TeleMessageAddressRefusedError(
    'TeleMessage openAttachment /api/v1/archive/att-network/attachments/a-1: TeleMessage host archive.example.com resolved, when connecting, to an address refused: 10.1.2.3 is a private address',
    details,
  );
  assert.equal(isWindowLevelFailure(refused), true);
  assert.equal(refused.retryable, false, 'not retried by the client: nothing was sent, and the same answer would be refused again');
  // Contrast: an answer outside the contract for one item is that item's problem.
  assert.equal(isWindowLevelFailure(new TeleMessageProtocolError('TeleMessage openAttachment: unexpected HTTP 418', details)), false);
});
