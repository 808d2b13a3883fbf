import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, testQuestDB } from '@scrapewatch/questdb';
import { INGEST_TOKEN, pollUntil, post, scrape, uniquePrefix, waitForRows } from './harness';

// A collector in a container: its own PID namespace, where it (or the image's entry process) is
// PID 1 again after every restart, on a spool volume that outlives it. `unshare` (util-linux) gives
// each run a new PID namespace, as a new container would.

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'collector/src/main.ts');

/** The entry process of the namespace: node itself, or npx running tsx (as an image may). */
const ENTRIES = {
  node: [process.execPath, '--import', 'tsx', MAIN],
  npx: ['npx', '--no-install', 'tsx', MAIN],
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
  procs: ChildProcess[],
): Promise<Container> {
  // Without root, a user namespace (mapped to root inside) grants the right to make the others.
  const asRoot = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
  const unshare = [...asRoot, '--pid', '--fork', '--mount-proc', '--', ...ENTRIES[entry]];
  const child = spawn('unshare', unshare, {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? os.tmpdir(),
      SCRAPEWATCH_PORT: '0',
      SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
      SCRAPEWATCH_QUESTDB_TIMEOUT_MS: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let url = '';
  await pollUntil(
    async () => {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"listening"/.exec(output)?.[1] ?? '';
      return url !== '' || child.exitCode !== null;
    },
    60_000,
    'the "listening" log line',
  );
  if (url === '') throw new Error(`the collector did not start: ${output}`);
  // unshare forks the namespace's PID 1: its one child.
  const pid = child.pid!;
  const init = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim());
  return {
    url,
    output: () => output,
    async stop(signal) {
      process.kill(init, signal);
      await exited;
    },
  };
}

describe('a collector restarted in a new PID namespace on the same spool', () => {
  const procs: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const proc of procs) proc.kill('SIGKILL');
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
      await pollUntil(
        async () => (await fetch(`${second.url}/readyz`)).status === 200,
        60_000,
        '/readyz 200 after the restart',
      );
      await waitForRows('page_scrape', `scraper = '${scraper}'`, 5);
      expect(second.output()).not.toMatch(/in use by/);
      await second.stop('SIGKILL');
    },
    120_000,
  );
});
