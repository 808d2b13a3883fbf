import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { until } from '@scrapewatch/testkit';
import { LIVE_POLL, TOKEN_ALL } from './harness';

/** A client frame: masked, as RFC 6455 requires of clients. */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length >= 65_536) throw new Error('frame too large for this helper');
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([header, mask, masked]);
}

/**
 * A subscriber that speaks the handshake by hand and then stops reading: the server's writes pile
 * up in the kernel buffers, then in the hub's socket buffer.
 */
export async function rawSubscriber(port: number, channels: string[]) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  socket.write(
    [
      'GET /v1/stream HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  await until('the handshake answer', () => received.includes('\r\n\r\n'), LIVE_POLL);
  if (!received.toString('latin1').startsWith('HTTP/1.1 101 ')) throw new Error('no 101 answer');
  socket.write(maskedTextFrame(JSON.stringify({ type: 'subscribe', token: TOKEN_ALL, channels })));
  await until('subscribed', () => received.includes('"type":"subscribed"'), LIVE_POLL);
  socket.pause();
  return {
    socket,
    received: () => received,
    /** The close code of a close frame that ends what was received, if there is one. */
    closeCode(): number | undefined {
      for (let at = received.length - 4; at >= Math.max(0, received.length - 200); at -= 1) {
        if (received[at] === 0x88 && received[at + 1] === received.length - at - 2) {
          return received.readUInt16BE(at + 2);
        }
      }
      return undefined;
    },
  };
}
