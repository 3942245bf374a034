import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toGraphMessage } from '../../shared/conversion';
import { mediaType } from '../../shared/conversion/attachment-plan';
import { parseArchivedItem } from '../../shared/items';
import { attachment, groupMmsItem } from './item-fixtures';

/** Issue #10 (smaller): what a source claims about an attachment's type and name, made safe for a mailbox and a disk. */

function planned(fileName: string, contentType: string): { name: string; contentType: string } {
  const item = parseArchivedItem(groupMmsItem({ attachments: [attachment('a1', fileName, contentType, 10)] }));
  const [first] = toGraphMessage(item, { folderName: 'Archive of texts' }).attachments;
  assert.ok(first !== undefined);
  return { name: first.name, contentType: first.contentType };
}

describe('attachment content types keep the media type only', () => {
  test('parameters such as name="evil.exe" are dropped, the media type is kept in lower case', () => {
    assert.equal(planned('photo.jpg', 'image/JPEG; name="evil.exe"').contentType, 'image/jpeg');
    assert.equal(planned('notes.txt', 'text/plain;charset=utf-8').contentType, 'text/plain');
  });

  test('something that is not a media type becomes application/octet-stream (the parser refuses it first; the plan holds on its own)', () => {
    for (const claimed of ['', 'jpeg', 'image/', 'image/jpeg x', 'text/html\r\nX-Evil: 1', '<script>/x']) {
      assert.equal(mediaType(claimed), 'application/octet-stream', JSON.stringify(claimed));
    }
  });
});

describe('attachment names Windows reserves are made safe', () => {
  test('device names, with or without extension, in any case, get a leading underscore', () => {
    for (const [given, expected] of [
      ['CON', '_CON'],
      ['NUL.txt', '_NUL.txt'],
      ['prn.tar.gz', '_prn.tar.gz'],
      ['Aux', '_Aux'],
      ['COM1.jpg', '_COM1.jpg'],
      ['lpt9', '_lpt9'],
      ['CON .txt', '_CON .txt'],
    ]) {
      assert.equal(planned(given as string, 'text/plain').name, expected, given);
    }
  });

  test('names that only look alike are kept; trailing dots and spaces are dropped', () => {
    assert.equal(planned('CONTRACT.pdf', 'application/pdf').name, 'CONTRACT.pdf');
    assert.equal(planned('COM10.txt', 'text/plain').name, 'COM10.txt');
    assert.equal(planned('report.pdf. . ', 'application/pdf').name, 'report.pdf');
    assert.equal(planned('NUL...', 'text/plain').name, '_NUL');
    assert.equal(planned(' . ', 'text/plain').name, 'attachment');
  });
});
