import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { ANA, SimulatorFixture, deliveredMessage } from './graph-simulator-fixture';

/**
 * mailbox.json is serialised a slice of messages at a time (the simulator's event loop stays free
 * for the requests it holds); the file must still be exactly what one JSON.stringify would write.
 */
test('mailbox.json written in slices is byte for byte the whole export, pretty-printed', async () => {
  const f = await SimulatorFixture.start();
  try {
    const many = await f.createFolder(ANA.userPrincipalName, 'Many');
    await f.createFolder(ANA.userPrincipalName, 'Empty');
    // More than one slice (200 messages), and a second folder with messages after the first.
    for (let i = 0; i < 205; i++) await f.createMessage(ANA.userPrincipalName, many, deliveredMessage(`Message ${i}`, `slice-${i}`));
    const other = await f.createFolder(ANA.userPrincipalName, 'Other');
    await f.createMessage(ANA.userPrincipalName, other, deliveredMessage('Line\nbreak "quoted" \u2028', 'other-1'));
    await f.sim.flush();
    const written = await readFile(path.join(f.dataDir, 'mailboxes', ANA.userPrincipalName, 'mailbox.json'), 'utf8');
    assert.equal(written, `${JSON.stringify(f.sim.mailbox(ANA.userPrincipalName), null, 2)}\n`);
  } finally {
    await f.close();
  }
});
