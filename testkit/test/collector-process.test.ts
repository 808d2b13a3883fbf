import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedPort, spawnCollector, type CollectorProcess } from '../src';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The collector needs no QuestDB to start and listen (it spools until QuestDB answers), so the
// kit's runner is proven here without one; the packages' tests run it against the real one.
describe('spawnCollector', () => {
  const spool = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-testkit-spool-'));
  let collector: CollectorProcess | undefined;
  afterAll(async () => {
    await collector?.stop();
    rmSync(spool, { recursive: true, force: true });
  });

  it('rejects at once, with its output, when the collector exits before it is ready', async () => {
    const startedMs = Date.now();
    await expect(spawnCollector({ env: { SCRAPEWATCH_LOG_LEVEL: 'loud' } })).rejects.toThrow(
      /exited \(code 2, signal null\) before it was ready; its output:\n[\s\S]*SCRAPEWATCH_LOG_LEVEL/,
    );
    expect(Date.now() - startedMs).toBeLessThan(60_000);
  });

  it('reads the address from the log with port 0, stops with exit 0, idempotently, and restarts', async () => {
    const questdb = `127.0.0.1:${await closedPort()}`;
    collector = await spawnCollector({
      port: 0,
      waitFor: 'listening',
      env: {
        SCRAPEWATCH_QUESTDB_HTTP: `http://${questdb}`,
        SCRAPEWATCH_QUESTDB_PG: `postgresql://admin:quest@${questdb}/qdb`,
        SCRAPEWATCH_SPOOL_DIR: spool,
        SCRAPEWATCH_QUESTDB_TIMEOUT_MS: '1000',
      },
    });
    expect(collector.url).toBe(`http://127.0.0.1:${collector.port}`);
    expect(collector.port).toBeGreaterThan(0);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const first = collector.process().pid;

    const [a, b] = await Promise.all([collector.stop(), collector.stop()]);
    expect(a).toEqual({ code: 0, signal: null });
    expect(b).toBe(a);
    expect(alive(first)).toBe(false);
    await expect(fetch(`${collector.url}/healthz`)).rejects.toThrow();

    await collector.restart();
    expect(collector.process().pid).not.toBe(first);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect(collector.output()).toMatch(/"msg":"closed"[\s\S]*"msg":"listening"/);
  });
});
