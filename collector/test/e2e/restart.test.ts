import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, testQuestDB } from '@scrapewatch/questdb';
import { COLLECTOR_MAIN, spawnCollector, until, type CollectorProcess } from '@scrapewatch/testkit';
import { INGEST_TOKEN, post, scrape, uniquePrefix, waitForRows } from './harness';

// A collector in a container: its own PID namespace, where it (or the image's entry process) is
// PID 1 again after every restart, on a spool volume that outlives it. `unshare` (util-linux) gives
// each run a new PID namespace, as a new container would.

/** The entry process of the namespace: node itself, or npx running tsx (as an image may). */
const ENTRIES = {
  node: [process.execPath, '--import', 'tsx', COLLECTOR_MAIN],
  npx: ['npx', '--no-install', 'tsx', COLLECTOR_MAIN],
} as const;
type Entry = keyof typeof ENTRIES;

interface Container {
  readonly url: string;
  /** Sends `signal` to the namespace's PID 1, as `docker stop` / `docker kill` do. */
  stop(signal: NodeJS.Signals): Promise<void>;
  output(): string;
}

async function startContainer(
  entry: Entry,
  env: Record<string, string>,
  procs: CollectorProcess[],
): Promise<Container> {
  // Without root, a user namespace (mapped to root inside) grants the right to make the others.
  const asRoot = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
  const collector = await spawnCollector({
    command: ['unshare', ...asRoot, '--pid', '--fork', '--mount-proc', '--', ...ENTRIES[entry]],
    inherit: 'path',
    // The url comes from the "listening" log line; QuestDB may be unreachable, so not /readyz.
    port: 0,
    waitFor: 'listening',
    readyTimeoutMs: 60_000,
    env: {
      HOME: process.env['HOME'] ?? os.tmpdir(),
      SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
      SCRAPEWATCH_QUESTDB_TIMEOUT_MS: '1000',
      ...env,
    },
  });
  procs.push(collector);
  // unshare forks the namespace's PID 1: its one child.
  const pid = collector.process().pid;
  const init = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim());
  return {
    url: collector.url,
    output: () => collector.output(),
    async stop(signal) {
      process.kill(init, signal);
      await collector.process().exited;
    },
  };
}

describe('a collector restarted in a new PID namespace on the same spool', () => {
  const procs: CollectorProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const proc of procs) await proc.stop({ signal: 'SIGKILL' });
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [Entry, NodeJS.Signals][] = [
    ['node', 'SIGKILL'],
    ['node', 'SIGTERM'],
    ['npx', 'SIGTERM'],
  ];
  it.each(cases)(
    'with %s as PID 1, after %s: opens the spool and replays what was spooled',
    async (entry, signal) => {
      const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-restart-test-'));
      dirs.push(spoolDir);
      const deadPort = await freePort();
      const scraper = uniquePrefix(`restart-${entry}-${signal.toLowerCase()}`);

      // QuestDB unreachable: every acknowledged event waits in the spool.
      const first = await startContainer(
        entry,
        {
          SCRAPEWATCH_SPOOL_DIR: spoolDir,
          SCRAPEWATCH_QUESTDB_HTTP: `http://127.0.0.1:${deadPort}`,
          SCRAPEWATCH_QUESTDB_PG: `postgresql://admin:quest@127.0.0.1:${deadPort}/qdb`,
        },
        procs,
      );
      const events = Array.from({ length: 5 }, (_, i) =>
        scrape(scraper, { eventId: `${scraper}-${i}`, recordedAt: Date.now() - i }),
      );
      const res = await post(first.url, JSON.stringify(events));
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ accepted: 5, durability: 'spooled' });
      await first.stop(signal);

      const { httpUrl, pgUrl } = testQuestDB();
      const second = await startContainer(
        entry,
        {
          SCRAPEWATCH_SPOOL_DIR: spoolDir,
          SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
          SCRAPEWATCH_QUESTDB_PG: pgUrl,
        },
        procs,
      );
      await until(
        '/readyz 200 after the restart',
        async () => (await fetch(`${second.url}/readyz`)).status === 200,
        60_000,
      );
      await waitForRows('page_scrape', `scraper = '${scraper}'`, 5);
      expect(second.output()).not.toMatch(/in use by/);
      await second.stop('SIGKILL');
    },
    120_000,
  );
});
