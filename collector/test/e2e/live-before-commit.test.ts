import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testQuestDB } from '@scrapewatch/questdb';
import { sleep, until } from '@scrapewatch/testkit';
import type { StreamClient } from '../live/harness';
import { LIVE_POLL, subscribe } from '../live/harness';
import {
  STREAM_TOKEN,
  post,
  scrape,
  startCollector,
  uniquePrefix,
  waitForRows,
  type RunningCollector,
} from './harness';

/**
 * Live latency does not include QuestDB's commit: an event goes live once the writer has taken it
 * with its room held in the spool, and the POST is answered only once it is committed. QuestDB's
 * HTTP port is reached through a forwarding proxy that can hold ILP requests (a slow commit).
 */
interface CommitGate {
  readonly url: string;
  /** ILP requests waiting for release(). */
  readonly held: number;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

async function startCommitGate(target: string): Promise<CommitGate> {
  const upstream = new URL(target);
  let holding = false;
  let waiting: (() => void)[] = [];
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const ilp = (req.url ?? '').includes('/write');
      if (ilp && holding) waiting.push(() => forward(req, res, body));
      else forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return waiting.length;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const released = waiting;
      waiting = [];
      for (const go of released) go();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const channel = uniquePrefix('before-commit');
let gate: CommitGate;
let running: RunningCollector;
let subscriber: StreamClient | undefined;

beforeAll(async () => {
  gate = await startCommitGate(testQuestDB().httpUrl);
  running = await startCollector({ env: { SCRAPEWATCH_QUESTDB_HTTP: gate.url } });
});
afterAll(async () => {
  subscriber?.terminate();
  gate.release();
  await running.close();
  await gate.close();
});

it('streams events while QuestDB has not committed them yet, and answers the POST once it has', async () => {
  subscriber = await subscribe(`${running.wsUrl}/v1/stream`, {
    channels: [channel],
    token: STREAM_TOKEN,
    version: 2,
  });
  gate.hold();
  let answered = false;
  const response = post(
    running.url,
    JSON.stringify([
      scrape(channel, { eventId: 'early-0' }),
      scrape(channel, { eventId: 'early-1' }),
    ]),
  ).then((res) => {
    answered = true;
    return res;
  });

  const events = await subscriber.waitForEvents(2, channel);
  expect(events.map((e) => e.eventId)).toEqual(['early-0', 'early-1']);
  // The ILP request reaches the gate and is held there: nothing is committed, the client waits.
  await until('the ILP request at the gate', () => gate.held >= 1, LIVE_POLL);
  await sleep(200);
  expect(answered).toBe(false);

  gate.release();
  const res = await response;
  expect(res.status).toBe(202);
  expect(await res.json()).toEqual({ accepted: 2, durability: 'committed' });
  await waitForRows('page_scrape', `scraper = '${channel}'`, 2);
  // Streamed once: the commit does not publish them again.
  await sleep(300);
  expect(subscriber.events(channel)).toHaveLength(2);
});
