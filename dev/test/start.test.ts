import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isQuestDBUp } from '@scrapewatch/questdb';
import { until } from '@scrapewatch/testkit';
import { REPO } from '../prerequisites';

/** Every process whose process group is `pgid` (/proc/<pid>/stat, field 5). */
function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      members.push(
        `${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ')}`,
      );
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

async function count(httpUrl: string, table: string): Promise<number> {
  try {
    const res = await fetch(
      `${httpUrl}/exec?query=${encodeURIComponent(`SELECT count() FROM ${table}`)}`,
    );
    const body = (await res.json()) as { dataset?: [[number]] };
    return body.dataset?.[0]?.[0] ?? 0;
  } catch {
    return 0;
  }
}

// `npm start` as a developer uses it: a terminal's Ctrl-C sends SIGINT to the whole foreground
// process group, so the test starts it in a group of its own and signals that group.
describe('npm start', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-start-'));
  const spool = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-start-spool-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(spool, { recursive: true, force: true });
  });

  it('runs QuestDB, the collector and the demo, says where to look, and one Ctrl-C stops all', async () => {
    const [http, pg, ilp, collectorPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const child = spawn('npm', ['start', '--', '--speed', '5'], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? os.tmpdir(),
        QUESTDB_ROOT: root,
        QUESTDB_HTTP_PORT: `${http}`,
        QUESTDB_PG_PORT: `${pg}`,
        QUESTDB_ILP_PORT: `${ilp}`,
        QUESTDB_HEAP: '512m',
        SCRAPEWATCH_PORT: `${collectorPort}`,
        SCRAPEWATCH_SPOOL_DIR: spool,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Every process of the group writes to these pipes: they close when the last one is gone.
    const drained = Promise.all(
      [child.stdout, child.stderr].map((s) => new Promise((resolve) => s.once('close', resolve))),
    );
    const pgid = child.pid;
    if (pgid === undefined) throw new Error('npm did not start');
    const questdb = `http://127.0.0.1:${http}`;
    const collector = `http://127.0.0.1:${collectorPort}`;
    try {
      await until(
        'the "Ctrl-C stops everything" line',
        () => output.includes('Ctrl-C stops everything'),
        180_000,
      );
      // Where to look: the QuestDB console, the collector, and how to bring a Grafana.
      expect(output).toContain(`QuestDB web console  ${questdb}`);
      expect(output).toContain(`Collector            ${collector}  (auth off, loopback only`);
      expect(output).toContain('npm run build -w grafana-plugin');
      expect(output).toContain('allow_loading_unsigned_plugins = scrapewatch-live-datasource');
      expect(output).toMatch(
        /grafana cli plugins install questdb-questdb-datasource \d+\.\d+\.\d+/,
      );
      expect(output).toContain(`set the Scrapewatch Live data source's url to ${collector}`);

      expect((await fetch(`${collector}/readyz`)).status).toBe(200);
      // The demo's events (sent without a token: auth is off) reach QuestDB through the collector.
      await until(
        "the demo's navigations in QuestDB",
        async () => (await count(questdb, 'page_navigation')) > 0,
        60_000,
      );
      expect(groupMembers(pgid).some((p) => p.includes('io.questdb.ServerMain'))).toBe(true);
      expect(groupMembers(pgid).some((p) => p.includes('sdk/demo/main.ts'))).toBe(true);

      process.kill(-pgid, 'SIGINT');
      await exited;
      await until('every process of the group gone', () => groupMembers(pgid).length === 0, 30_000);
      await drained;
      expect(output).toContain('Scrapewatch stopped');
      expect(await isQuestDBUp(questdb, 1_000)).toBe(false);
      expect(await answers(`${collector}/healthz`)).toBe(false);
    } finally {
      if (groupMembers(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
    }
  }, 300_000);
});
