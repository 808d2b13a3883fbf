import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { testQuestDB } from '@scrapewatch/questdb';
import { pollUntil } from '@scrapewatch/testkit';
import { countsByEventId, makeStorage, tempDir, uniqueName } from './helpers';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'spool-writer.ts');

describe('a collector killed while spooling', () => {
  const { httpUrl, pgUrl } = testQuestDB();
  const tmp = tempDir('crash');
  afterAll(() => tmp.remove());

  it('loses no acknowledged event: a fresh storage on its spool replays everything exactly once', async () => {
    const scraper = uniqueName('crash');
    const spoolDir = path.join(tmp.dir, 'spool');
    // node itself runs the fixture (tsx as a loader, no wrapper process), so SIGKILL hits it.
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, spoolDir, scraper], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const acked: string[] = [];
    const durabilities = new Set<string>();
    const lines = createInterface({ input: child.stdout });
    // SIGKILL mid-stream, while the child keeps appending: its last append may be torn.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child gave no acks in time; stderr: ${stderr}`)),
        60_000,
      );
      lines.on('line', (line) => {
        const match = /^acked (\w+) (.*)$/.exec(line);
        if (!match) return;
        durabilities.add(match[1]!);
        acked.push(...(JSON.parse(match[2]!) as string[]));
        if (acked.length >= 200 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(await exited).toBe('SIGKILL');
    lines.close();
    expect([...durabilities]).toEqual(['spooled']);

    const { storage } = makeStorage({ questdbHttpUrl: httpUrl, questdbPgUrl: pgUrl, spoolDir });
    await storage.start();
    try {
      await pollUntil(
        'the spool drained',
        async () => (await storage.readiness()).spooledBytes,
        (bytes) => bytes === 0,
      );
      const counts = await pollUntil(
        'every acknowledged navigation in QuestDB',
        () => countsByEventId(pgUrl, 'page_navigation', 'scraper', [scraper]),
        (m) => acked.every((id) => m.has(id)),
      );
      expect(acked.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await storage.close();
    }
  });
});
