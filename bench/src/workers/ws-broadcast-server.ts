// The fan-out baseline: a bare `ws` server in its own process, doing the least a live stream can
// do. It takes the same POST bodies the collector takes, groups the events by channel, serialises
// one metrics_batch per channel and sends it to every open client of that channel (and of "*"),
// exactly the `ws` README's broadcast loop. No validation, no linger, no replay, no backpressure.
import http from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import type { BroadcastServerIn } from '../ipc';
import { reply, runWorker } from '../worker-runtime';

interface Posted {
  scraperSource: string;
}

const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();

function join(channel: string, socket: WebSocket): void {
  let room = rooms.get(channel);
  if (!room) rooms.set(channel, (room = new Set()));
  room.add(socket);
  socket.once('close', () => room.delete(socket));
}

function broadcast(events: Posted[]): void {
  const byChannel = new Map<string, Posted[]>();
  for (const event of events) {
    const list = byChannel.get(event.scraperSource);
    if (list) list.push(event);
    else byChannel.set(event.scraperSource, [event]);
  }
  const everyone = rooms.get('*');
  for (const [channel, metrics] of byChannel) {
    const seq = (seqs.get(channel) ?? 0) + 1;
    seqs.set(channel, seq);
    const data = JSON.stringify({
      type: 'metrics_batch',
      channel,
      seq,
      scraperSource: channel,
      count: metrics.length,
      timestamp: Date.now(),
      metrics,
    });
    for (const room of [rooms.get(channel), everyone]) {
      if (!room) continue;
      for (const client of room) {
        if (client.readyState === WebSocket.OPEN) client.send(data);
      }
    }
  }
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/publish') {
    response.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    broadcast(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Posted[]);
    response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
  });
});
server.keepAliveTimeout = 60_000;

const wss = new WebSocketServer({ server, path: '/v1/stream' });
wss.on('connection', (socket) => {
  socket.on('error', () => socket.terminate());
  socket.once('message', (data: WebSocket.RawData) => {
    const message = JSON.parse(data.toString()) as { channels?: string[] };
    const channels = message.channels ?? ['*'];
    for (const channel of channels) join(channel, socket);
    socket.send(
      JSON.stringify({
        type: 'subscribed',
        channels,
        kinds: null,
        seqs: {},
        heartbeatIntervalMs: 0,
      }),
    );
  });
});

runWorker<BroadcastServerIn>(
  () =>
    new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        reply({
          type: 'listening',
          port: typeof address === 'object' && address ? address.port : 0,
        });
        resolve();
      });
    }),
  () =>
    new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
