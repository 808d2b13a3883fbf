import { once } from 'node:events';
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { until } from '@scrapewatch/testkit';
import { post, scrape, startCollector, uniquePrefix, type RunningCollector } from '../e2e/harness';

// A scraper that drops its connection in the middle of a request body: the collector keeps
// nothing of it, and logs it once, at a low level, under its own code.

interface LogEntry {
  level: number;
  msg: string;
  code?: string;
}

const entries: LogEntry[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() !== '') entries.push(JSON.parse(line) as LogEntry);
    }
    done();
  },
});

let running: RunningCollector;
beforeAll(async () => {
  running = await startCollector({ logger: pino({ level: 'trace' }, sink) });
});
afterAll(async () => {
  await running?.close();
});

async function abortMidBody(port: number, body: string): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    [
      'POST /v1/metrics HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Content-Type: application/json',
      'Authorization: Bearer ingest-token-0123456789abcdef',
      `Content-Length: ${body.length}`,
      '',
      body.slice(0, body.length / 2),
    ].join('\r\n'),
  );
  // Let the server start reading the body before the client disappears.
  await new Promise((resolve) => setTimeout(resolve, 20));
  socket.destroy();
}

it('an aborted request body: one low-level entry with its own code, no error and no INTERNAL', async () => {
  const port = Number(new URL(running.url).port);
  const scraper = uniquePrefix('aborted');
  const body = JSON.stringify(Array.from({ length: 20 }, () => scrape(scraper)));
  const before = entries.length;
  const aborts = 30;
  for (let i = 0; i < aborts; i++) await abortMidBody(port, body);
  const aborted = () => entries.slice(before).filter((e) => e.code === 'CLIENT_ABORTED');
  await until(`${aborts} CLIENT_ABORTED entries`, async () => aborted().length >= aborts, 15_000);
  // Still up: a whole request afterwards is accepted, and every entry has been written by then.
  expect((await post(running.url, body)).status).toBe(202);
  const logged = entries.slice(before);
  expect(aborted()).toHaveLength(aborts);
  expect(aborted().every((e) => e.level <= 20)).toBe(true);
  expect(logged.filter((e) => e.level >= 40)).toEqual([]);
  expect(logged.filter((e) => e.code === 'INTERNAL' || /unexpected/.test(e.msg))).toEqual([]);
  // One entry per aborted request, nothing else about them.
  expect(logged.filter((e) => e.code !== undefined && e.code !== 'CLIENT_ABORTED')).toEqual([]);
  const metrics = await (await fetch(`${running.url}/metrics`)).text();
  expect(metrics).toMatch(
    /scrapewatch_events_rejected_total\{code="CLIENT_ABORTED",transport="http"\} 30/,
  );
});
