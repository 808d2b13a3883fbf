import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '@scrapewatch/testkit';
import { freePort, isQuestDBUp } from '../src';

const REPO = path.resolve(__dirname, '../..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run db flags', () => {
  const db = (...args: string[]) =>
    spawnSync('npm', ['run', '--silent', 'db', '--', ...args], { cwd: REPO, encoding: 'utf8' });

  it('--help prints the usage, every flag and its variable, and exits 0', () => {
    const help = db('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run db -- \[flags\]/);
    for (const [flag, variable] of [
      ['--root', 'QUESTDB_ROOT'],
      ['--host', 'QUESTDB_HOST'],
      ['--http-port', 'QUESTDB_HTTP_PORT'],
      ['--pg-port', 'QUESTDB_PG_PORT'],
      ['--ilp-port', 'QUESTDB_ILP_PORT'],
      ['--heap', 'QUESTDB_HEAP'],
    ] as const) {
      expect(help.stdout).toMatch(new RegExp(`^  ${flag} .*\\[${variable}\\]`, 'm'));
    }
  });

  it('an unknown flag or a bad port: exit 2, naming it, then the usage', () => {
    const unknown = db('--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^db: Unknown option '--bogus'/);
    expect(unknown.stderr).toContain('Usage: npm run db -- [flags]');
    const badPort = db('--http-port', 'x');
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toMatch(/invalid port "x" \(from --http-port or QUESTDB_HTTP_PORT\)/);
  });

  it("the README passes the db flags after npm's -- separator", () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const help = db('--help').stdout;
    expect(readme).toContain('npm run db -- --help');
    for (const flag of help.match(/^ {2}(--[a-z-]+)/gm) ?? []) {
      // Every flag the README mentions appears in an `npm run db -- …` command.
      const bare = new RegExp(`\`${flag.trim()}[\` ]`);
      expect(readme).not.toMatch(bare);
    }
  });
});

// `npm run db` as a developer uses it: a terminal's Ctrl-C sends SIGINT to the whole foreground
// process group, so the test starts it in a group of its own and signals that group.
describe('npm run db', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-db-cli-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('answers SELECT 1 and stops on Ctrl-C without leaving a process', async () => {
    const [http, pg, ilp] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(
      'npm',
      [
        'run',
        'db',
        '--',
        '--root',
        root,
        '--http-port',
        `${http}`,
        '--pg-port',
        `${pg}`,
        '--ilp-port',
        `${ilp}`,
      ],
      { cwd: REPO, detached: true, stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pgid = child.pid;
    if (pgid === undefined) throw new Error('npm did not start');
    try {
      await until('QuestDB up', () => isQuestDBUp(`http://127.0.0.1:${http}`), 60_000);
      const javaPid = await findServerPid(root);
      expect(javaPid).toBeDefined();

      process.kill(-pgid, 'SIGINT');
      await exited;
      await until(
        'the server process gone',
        () => javaPid === undefined || !alive(javaPid),
        30_000,
      );
      expect(await isQuestDBUp(`http://127.0.0.1:${http}`, 1_000)).toBe(false);
    } finally {
      if (alive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  });
});

async function findServerPid(root: string): Promise<number | undefined> {
  const { readdirSync, readFileSync } = await import('node:fs');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('io.questdb.ServerMain') && cmdline.includes(root)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}
