// A subscriber process: holds many WebSocket clients of /v1/stream (the collector's or the
// baseline server's), and measures, for every event every reading client receives, the time from
// its send (stamped by the publisher, shared clock) to its receipt here.
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

const clients: WebSocket[] = [];
const closeCodes: Record<string, number> = {};
const streamErrors: Record<string, number> = {};
let histogram = new LatencyHistogram();
let windowFromMs = Number.POSITIVE_INFINITY;
let windowToMs = Number.NEGATIVE_INFINITY;
let receivedInWindow = 0;
let messages = 0;

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
function onStreamMessage(data: WebSocket.RawData): void {
  const receivedAt = sharedClockMs();
  messages++;
  const text = data.toString();
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

/** Opens one client, subscribes it, and resolves once `subscribed` arrives. */
function openClient(spec: SubscriberConnect, globalIndex: number): Promise<WebSocket> {
  const channel = spec.channels[globalIndex % spec.channels.length] ?? '*';
  const pause = spec.pauseEvery > 0 && globalIndex % spec.pauseEvery === spec.pauseEvery - 1;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.url, { handshakeTimeout: spec.connectTimeoutMs });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`not subscribed within ${spec.connectTimeoutMs} ms`));
    }, spec.connectTimeoutMs);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'subscribe', channels: [channel] })),
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
      resolve(socket);
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
  return clients.filter((socket) => socket.readyState === WebSocket.OPEN).length;
}

async function closeAll(): Promise<void> {
  const closing = clients.splice(0).map(
    (socket) =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        // Paused clients never read the server's close frame: end them at once.
        socket.terminate();
      }),
  );
  await Promise.all(closing);
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
