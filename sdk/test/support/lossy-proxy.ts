import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A real TCP proxy in front of the collector. `dropNextResponse()` makes it forward the next
 * request as usual but swallow the collector's answer and cut the client's connection: the
 * collector has committed, the client never hears so.
 */
export interface LossyProxy {
  readonly url: string;
  dropNextResponse(): void;
  /** Responses swallowed so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

export async function startLossyProxy(targetPort: number): Promise<LossyProxy> {
  let dropArmed = false;
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (dropArmed) {
        dropArmed = false;
        dropped++;
        client.resetAndDestroy();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropNextResponse: () => {
      dropArmed = true;
    },
    get dropped() {
      return dropped;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
