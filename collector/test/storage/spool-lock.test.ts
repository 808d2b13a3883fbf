import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pollUntil } from '@scrapewatch/testkit';
import { createSpool } from '../../src/storage/spool';
import { acquireSpoolLock, LOCK_FILE, LOCK_HELPERS } from '../../src/storage/spool-lock';
import { silentLogger, tempDir } from './helpers';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const OWNER = path.join(__dirname, 'fixtures', 'spool-owner.ts');

/** What another process sees: util-linux flock(1) on the lock file, without waiting. */
function lockedByOthers(dir: string): boolean {
  const probe = spawnSync('flock', ['--nonblock', path.join(dir, LOCK_FILE), 'true']);
  if (probe.status !== 0 && probe.status !== 1) throw new Error(`flock probe: ${probe.status}`);
  return probe.status === 1;
}

function processState(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) S ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

describe('the spool lock', () => {
  const tmp = tempDir('spool-lock');
  afterAll(() => tmp.remove());

  it('lets one spool in at a time, names the owner, and is free again once the owner closes', async () => {
    const dir = path.join(tmp.dir, 'one');
    const owner = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
    await owner.open();
    expect(lockedByOthers(dir)).toBe(true);
    const intruder = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
    await expect(intruder.open()).rejects.toThrow(
      new RegExp(`in use by process ${process.pid} on host .+: one collector per spool directory`),
    );
    // The intruder's failed attempt did not disturb the owner's lock.
    expect(lockedByOthers(dir)).toBe(true);
    await owner.close();
    expect(lockedByOthers(dir)).toBe(false);
    const heir = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
    await heir.open();
    await heir.close();
  });

  it('is not blocked by a lock file that names this very process (a PID reused in a new container)', async () => {
    const dir = path.join(tmp.dir, 'same-pid');
    const first = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
    await first.open();
    await first.close();
    writeFileSync(path.join(dir, LOCK_FILE), String(process.pid));
    const again = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
    await again.open();
    await again.close();
  });

  it('is released by the kernel when its owner is killed, even while the dead owner is not reaped', async () => {
    const dir = path.join(tmp.dir, 'zombie');
    // `sleep` replaces the shell and never waits for its children: the killed owner stays a zombie.
    const parent = spawn(
      'sh',
      ['-c', `"${process.execPath}" --import tsx "${OWNER}" "${dir}" & exec sleep 600`],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const ownerPid = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the owner never locked')), 30_000);
        createInterface({ input: parent.stdout }).on('line', (line) => {
          const match = /^locked (\d+)$/.exec(line);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
      });
      expect(lockedByOthers(dir)).toBe(true);
      process.kill(ownerPid, 'SIGKILL');
      // The leader thread shows 'Z' as soon as it exits; the descriptors go with the last of its
      // threads, a moment later on a busy machine.
      await pollUntil(
        'the owner a zombie and its lock released',
        async () => ({ state: processState(ownerPid), locked: lockedByOthers(dir) }),
        ({ state, locked }) => state === 'Z' && !locked,
      );
      // Still a zombie, and a zombie still answers kill(pid, 0): a PID check would think it alive.
      expect(processState(ownerPid)).toBe('Z');
      expect(() => process.kill(ownerPid, 0)).not.toThrow();
      const heir = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
      await heir.open();
      await heir.close();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('falls back to perl where flock(1) is not installed, and says so when neither is', async () => {
    const dir = tmp.dir;
    const perlOnly = [['scrapewatch-no-such-flock', '3'], ...LOCK_HELPERS.slice(1)];
    const lock = await acquireSpoolLock(dir, perlOnly);
    expect(lockedByOthers(dir)).toBe(true);
    await expect(acquireSpoolLock(dir, perlOnly)).rejects.toThrow(/in use by process/);
    await lock.release();
    expect(lockedByOthers(dir)).toBe(false);
    await expect(acquireSpoolLock(dir, [['scrapewatch-no-such-flock', '3']])).rejects.toThrow(
      /cannot lock spool directory .*: none of scrapewatch-no-such-flock is installed/,
    );
  });
});
