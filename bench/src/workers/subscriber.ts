// A subscriber process: holds many WebSocket clients of /v1/stream (the collector's or the
// baseline server's) or of Centrifugo, and measures, for every event every reading client
// receives, the time from its send (stamped by the publisher, shared clock) to its receipt here.
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { decodeSentAt, sharedClockMs } from '../events';
import { LatencyHistogram } from '../histogram';
import type { SubscriberConnect, SubscriberIn } from '../ipc';
import { keepError, runPool, tally } from '../load/pool';
import { reply, runWorker } from '../worker-runtime';

interface StreamEvent {
  runId?: string | null;
  recordedAt?: number;
}

interface StreamMessage {
  type?: string;
  code?: string;
  metrics?: StreamEvent[];
}

/** What closeAll and the open count need of a client of any protocol. */
interface Client {
  readonly isPaused: boolean;
  isOpen(): boolean;
  close(): Promise<void>;
}

const clients: Client[] = [];
const closeCodes: Record<string, number> = {};
const streamErrors: Record<string, number> = {};
let histogram = new LatencyHistogram();
let windowFromMs = Number.POSITIVE_INFINITY;
let windowToMs = Number.NEGATIVE_INFINITY;
let receivedInWindow = 0;
let messages = 0;
let windowMessages = 0;
let windowBytes = 0;

/** The publisher's send stamp as JSON.stringify writes it (see events.ts encodeSentAt). */
const SENT_STAMP = /"runId":"sent:([0-9.]+)"/g;

function recordSent(sentAt: number, receivedAt: number): void {
  if (sentAt < windowFromMs || sentAt >= windowToMs) return;
  histogram.record(receivedAt - sentAt);
  receivedInWindow++;
}

/**
 * The stamps are read with a regular expression rather than a full JSON.parse: the figure is the
 * server's delivery time, and a cheap client keeps the client processes' own CPU out of it.
 */
function countMessage(receivedAt: number, bytes: number): void {
  messages++;
  if (receivedAt >= windowFromMs && receivedAt < windowToMs) {
    windowMessages++;
    windowBytes += bytes;
  }
}

function onStreamMessage(data: WebSocket.RawData): void {
  const receivedAt = sharedClockMs();
  const text = data.toString();
  countMessage(receivedAt, Buffer.byteLength(text));
  SENT_STAMP.lastIndex = 0;
  let stamped = false;
  for (let match = SENT_STAMP.exec(text); match !== null; match = SENT_STAMP.exec(text)) {
    stamped = true;
    recordSent(Number(match[1]), receivedAt);
  }
  if (stamped) return;
  const message = JSON.parse(text) as StreamMessage;
  if (message.type === 'metrics_batch' && message.metrics) {
    for (const event of message.metrics) {
      const sentAt = decodeSentAt(event);
      if (sentAt !== undefined) recordSent(sentAt, receivedAt);
    }
  } else if (message.type === 'error') {
    tally(streamErrors, message.code ?? 'unknown');
  }
}

function wsClient(socket: WebSocket): Client {
  return {
    get isPaused() {
      return socket.isPaused;
    },
    isOpen: () => socket.readyState === WebSocket.OPEN,
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        // Paused clients never read the server's close frame: end them at once.
        socket.terminate();
      }),
  };
}

/** The channels a client subscribes to; "*" is every channel where the server has no wildcard. */
function channelsOf(spec: SubscriberConnect, globalIndex: number): string[] {
  const channel = spec.channels[globalIndex % spec.channels.length] ?? '*';
  return channel === '*' && spec.protocol !== 'scrapewatch' ? [...spec.allChannels] : [channel];
}

/**
 * Centrifugo's JSON protocol by hand: connect and every subscribe in one frame (commands separated
 * by newlines), resolved once every subscribe is answered. Pushes are read like stream messages
 * (send stamps only); the server's pings (`{}`) are answered with `{}`.
 */
function openCentrifugoRaw(spec: SubscriberConnect, globalIndex: number): Promise<Client> {
  const channels = channelsOf(spec, globalIndex);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.url, { handshakeTimeout: spec.connectTimeoutMs });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`not subscribed within ${spec.connectTimeoutMs} ms`));
    }, spec.connectTimeoutMs);
    socket.once('open', () => {
      const commands = [JSON.stringify({ id: 1, connect: {} })];
      channels.forEach((channel, i) =>
        commands.push(JSON.stringify({ id: i + 2, subscribe: { channel } })),
      );
      socket.send(commands.join('\n'));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', (code) => {
      tally(closeCodes, code);
      clearTimeout(timer);
      reject(new Error(`closed (${code}) before subscribed`));
    });
    let answered = 0;
    const first = (data: WebSocket.RawData): void => {
      for (const line of data.toString().split('\n')) {
        if (line === '') continue;
        const reply = JSON.parse(line) as { id?: number; error?: { message?: string } };
        if (reply.error) {
          clearTimeout(timer);
          socket.terminate();
          reject(new Error(`centrifugo error ${reply.error.message ?? ''}`));
          return;
        }
        if (reply.id !== undefined && reply.id >= 2) answered++;
      }
      if (answered < channels.length) return;
      clearTimeout(timer);
      socket.off('message', first);
      socket.on('message', (data: WebSocket.RawData) => {
        if (data.toString() === '{}') socket.send('{}');
        else onStreamMessage(data);
      });
      socket.removeAllListeners('close');
      socket.once('close', (code) => tally(closeCodes, code));
      resolve(wsClient(socket));
    };
    socket.on('message', first);
  });
}

/** A `ws` WebSocket that counts the frames and bytes the official client receives. */
class CountingWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    this.on('message', (data: WebSocket.RawData) => {
      countMessage(
        sharedClockMs(),
        Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength,
      );
    });
  }
}

/** The official `centrifuge` client: one Subscription per channel, publications parsed by it. */
function openCentrifugoJs(spec: SubscriberConnect, globalIndex: number): Promise<Client> {
  const channels = channelsOf(spec, globalIndex);
  return new Promise((resolve, reject) => {
    const client = new Centrifuge(spec.url, { websocket: CountingWebSocket });
    const timer = setTimeout(() => {
      client.disconnect();
      reject(new Error(`not subscribed within ${spec.connectTimeoutMs} ms`));
    }, spec.connectTimeoutMs);
    let subscribed = 0;
    let connected = true;
    for (const channel of channels) {
      const subscription = client.newSubscription(channel);
      subscription.on('publication', (context) => {
        const receivedAt = sharedClockMs();
        const data = context.data as StreamMessage;
        for (const event of data.metrics ?? []) {
          const sentAt = decodeSentAt(event);
          if (sentAt !== undefined) recordSent(sentAt, receivedAt);
        }
      });
      subscription.on('subscribed', () => {
        subscribed++;
        if (subscribed < channels.length) return;
        clearTimeout(timer);
        resolve({
          isPaused: false,
          isOpen: () => connected,
          close: async () => {
            connected = false;
            client.disconnect();
          },
        });
      });
      subscription.on('error', (context) => tally(streamErrors, context.error.message));
      subscription.subscribe();
    }
    client.on('disconnected', (context) => {
      connected = false;
      tally(closeCodes, context.code);
    });
    client.connect();
  });
}

/** Opens one client, subscribes it, and resolves once subscribed. */
function openClient(spec: SubscriberConnect, globalIndex: number): Promise<Client> {
  if (spec.protocol === 'centrifugo-raw') return openCentrifugoRaw(spec, globalIndex);
  if (spec.protocol === 'centrifugo-js') return openCentrifugoJs(spec, globalIndex);
  return openCollectorClient(spec, globalIndex);
}

/** /v1/stream: subscribe (wire version 2), resolved once `subscribed` arrives. */
function openCollectorClient(spec: SubscriberConnect, globalIndex: number): Promise<Client> {
  const channel = spec.channels[globalIndex % spec.channels.length] ?? '*';
  const pause = spec.pauseEvery > 0 && globalIndex % spec.pauseEvery === spec.pauseEvery - 1;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.url, { handshakeTimeout: spec.connectTimeoutMs });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`not subscribed within ${spec.connectTimeoutMs} ms`));
    }, spec.connectTimeoutMs);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'subscribe', channels: [channel], version: 2 })),
    );
    socket.once('close', (code) => {
      tally(closeCodes, code);
      clearTimeout(timer);
      reject(new Error(`closed (${code}) before subscribed`));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const first = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as StreamMessage;
      if (message.type === 'error') {
        clearTimeout(timer);
        socket.terminate();
        reject(new Error(`stream error ${message.code ?? ''}`));
        return;
      }
      if (message.type !== 'subscribed') return;
      clearTimeout(timer);
      socket.off('message', first);
      if (pause) socket.pause();
      else socket.on('message', onStreamMessage);
      socket.removeAllListeners('close');
      socket.once('close', (code) => tally(closeCodes, code));
      resolve(wsClient(socket));
    };
    socket.on('message', first);
  });
}

async function connect(spec: SubscriberConnect): Promise<void> {
  const startedAt = performance.now();
  const errors: string[] = [];
  let failed = 0;
  let paused = 0;
  await runPool(spec.clients, spec.connectConcurrency, async (index) => {
    try {
      const socket = await openClient(spec, spec.firstIndex + index);
      clients.push(socket);
      if (socket.isPaused) paused++;
    } catch (error) {
      failed++;
      keepError(errors, error instanceof Error ? error.message : String(error));
    }
  });
  reply({
    type: 'connected',
    subscribed: clients.length,
    paused,
    failed,
    errors,
    durationMs: performance.now() - startedAt,
  });
}

function openCount(): number {
  return clients.filter((client) => client.isOpen()).length;
}

async function closeAll(): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.close()));
}

runWorker<SubscriberIn>(async (message) => {
  switch (message.type) {
    case 'connect':
      await connect(message);
      return;
    case 'window':
      histogram = new LatencyHistogram();
      receivedInWindow = 0;
      messages = 0;
      windowMessages = 0;
      windowBytes = 0;
      windowFromMs = message.fromMs;
      windowToMs = message.toMs;
      return;
    case 'status':
      reply({
        type: 'status',
        open: openCount(),
        closed: clients.length - openCount(),
        closeCodes,
      });
      return;
    case 'report':
      reply({
        type: 'report',
        latency: histogram.snapshot(),
        receivedInWindow,
        messages,
        windowMessages,
        windowBytes,
        streamErrors,
        open: openCount(),
      });
      return;
    case 'close':
      await closeAll();
      reply({ type: 'closed' });
      return;
  }
}, closeAll);
