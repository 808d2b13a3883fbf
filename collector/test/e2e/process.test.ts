import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testQuestDB } from '@scrapewatch/questdb';
import {
  COLLECTOR_MAIN,
  TSX_BIN,
  spawnCollector,
  startProcess,
  withOutput,
} from '@scrapewatch/testkit';
import { INGEST_TOKEN, post, scrape, uniquePrefix, waitForRows } from './harness';

describe('the collector process (npm run collector)', () => {
  it('starts from the environment, logs its url, ingests, and exits 0 on SIGTERM', async () => {
    const { httpUrl, pgUrl } = testQuestDB();
    const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-process-test-'));
    // Port 0: the url comes from the "listening" log line.
    const collector = await spawnCollector({
      command: [TSX_BIN, COLLECTOR_MAIN],
      inherit: 'path',
      port: 0,
      env: {
        SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
        SCRAPEWATCH_QUESTDB_PG: pgUrl,
        SCRAPEWATCH_SPOOL_DIR: spoolDir,
        SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
      },
    });
    try {
      const scraper = uniquePrefix('process');
      expect((await post(collector.url, JSON.stringify(scrape(scraper)))).status).toBe(202);
      expect(await collector.stop()).toEqual({ code: 0, signal: null });
      expect(collector.output()).toMatch(/"msg":"closed"/);
      await waitForRows('page_scrape', `scraper = '${scraper}'`, 1);
    } finally {
      await collector.stop();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid configuration, naming the variable, with exit code 2', async () => {
    const proc = startProcess([TSX_BIN, COLLECTOR_MAIN], {
      env: { PATH: process.env['PATH'] ?? '', SCRAPEWATCH_PORT: 'eighty' },
    });
    try {
      expect(await proc.exited).toEqual({ code: 2, signal: null });
      expect(withOutput('', proc)).toMatch(/SCRAPEWATCH_PORT: must be a whole number/);
    } finally {
      await proc.stop();
    }
  });
});
