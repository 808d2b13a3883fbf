import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testQuestDB } from '@scrapewatch/questdb';
import { INGEST_TOKEN, pollUntil, post, scrape, uniquePrefix, waitForRows } from './harness';

const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'collector/src/main.ts');

function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(TSX, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('the collector process (npm run collector)', () => {
  it('starts from the environment, logs its url, ingests, and exits 0 on SIGTERM', async () => {
    const { httpUrl, pgUrl } = testQuestDB();
    const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-process-test-'));
    const proc = run({
      SCRAPEWATCH_PORT: '0',
      SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
      SCRAPEWATCH_QUESTDB_PG: pgUrl,
      SCRAPEWATCH_SPOOL_DIR: spoolDir,
      SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
    });
    try {
      let url = '';
      await pollUntil(
        async () => {
          const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"listening"/.exec(
            proc.output(),
          );
          url = match?.[1] ?? '';
          return url !== '';
        },
        60_000,
        'the "listening" log line',
      );
      await pollUntil(async () => (await fetch(`${url}/readyz`)).status === 200, 60_000, '/readyz');
      const scraper = uniquePrefix('process');
      expect((await post(url, JSON.stringify(scrape(scraper)))).status).toBe(202);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toMatch(/"msg":"closed"/);
      await waitForRows('page_scrape', `scraper = '${scraper}'`, 1);
    } finally {
      proc.child.kill('SIGKILL');
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid configuration, naming the variable, with exit code 2', async () => {
    const proc = run({ SCRAPEWATCH_PORT: 'eighty' });
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toMatch(/SCRAPEWATCH_PORT: must be a whole number/);
  });
});
