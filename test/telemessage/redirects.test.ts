import { text } from 'node:stream/consumers';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TeleMessageClient } from '../../shared/telemessage/telemessage-client';
import { TeleMessageProtocolError } from '../../shared/telemessage/archive-source-errors';

/**
 * Issue #10, defect 9: a TeleMessage that answers with a redirect must not make the client send
 * the sign-in body (the password) or the bearer token to the new location. Two real HTTP servers
 * on loopback: one redirects every request, the other records whatever reaches it.
 */
describe('TeleMessageClient and redirects', () => {
  const PASSWORD = 'Redirect-Pa55word-must-stay-home-4410';
  const captured: Array<{ method: string; url: string; body: string }> = [];
  let capture: Server;
  let redirector: Server;
  let captureUrl = '';
  let redirectorUrl = '';

  async function listen(server: Server): Promise<string> {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function bodyOf(request: IncomingMessage): Promise<string> {
    return text(request);
  }

  before(async () => {
    capture = createServer((request, response) => {
      void bodyOf(request).then((body) => {
        captured.push({ method: request.method ?? '', url: request.url ?? '', body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"accessToken":"t","expiresIn":3600}');
      });
    });
    captureUrl = await listen(capture);
    redirector = createServer((request, response) => {
      request.resume();
      // 307 and 308 keep the method and body: a client that follows re-sends the password.
      response.writeHead(request.url?.includes('token') === true ? 307 : 308, { location: `${captureUrl}${request.url ?? '/'}` }).end();
    });
    redirectorUrl = await listen(redirector);
  });

  after(() => {
    capture?.close();
    redirector?.close();
  });

  test('a redirect is never followed: the call fails as a protocol error and nothing reaches the other location', async () => {
    const client = new TeleMessageClient({
      baseUrl: redirectorUrl, username: 'connector', password: PASSWORD,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, requestTimeoutMs: 5_000, addressPolicy: { allowLoopback: true },
    });

    await assert.rejects(client.verifyConnection(), (error: unknown) => {
      assert.ok(error instanceof TeleMessageProtocolError, String(error));
      assert.match(error.message, /redirect/);
      assert.equal(JSON.stringify(error).includes(PASSWORD) || error.message.includes(PASSWORD), false);
      return true;
    });
    assert.deepEqual(captured, [], 'neither the sign-in body nor any other request reached the redirect target');
  });
});
