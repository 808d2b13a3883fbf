import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One collector per spool directory: two would pick the same segment numbers and replay each
 * other's segments.
 *
 * The lock is an exclusive flock(2) on `<dir>/spool.lock`, held through a descriptor this process
 * keeps open. The kernel drops it when the process dies, however it dies (SIGKILL, OOM, a
 * container stopped with its whole PID namespace), and it holds between processes in different
 * PID namespaces (containers) that share the directory, since it is tied to the file, not to a PID.
 * A dead but unreaped (zombie) owner holds no descriptors, so it holds no lock either.
 *
 * Node has no flock(), so a short-lived helper takes the lock on a descriptor it inherits from this
 * process: a flock lock belongs to the open file description, which the helper shares with this
 * process, so the lock outlives the helper and lasts exactly as long as this process's descriptor.
 *
 * The file is never deleted: removing a lock file that another starter has already opened would let
 * two processes lock two different files of the same name.
 */
export const LOCK_FILE = 'spool.lock';

export interface SpoolLock {
  release(): Promise<void>;
}

/**
 * Commands that lock the open file description on their descriptor 3 without waiting: exit 0 when
 * locked, 1 when another process holds it. util-linux and busybox `flock`; perl where neither is
 * installed (macOS). The first one that exists is used.
 */
export const LOCK_HELPERS: readonly (readonly string[])[] = [
  ['flock', '--exclusive', '--nonblock', '3'],
  [
    'perl',
    '-MFcntl=:flock',
    '-e',
    'open(my $fh, "+<&=", 3) or exit 2; exit(flock($fh, LOCK_EX | LOCK_NB) ? 0 : 1)',
  ],
];

type HelperOutcome = 'locked' | 'busy' | 'missing';

function runHelper(command: readonly string[], fd: number): Promise<HelperOutcome> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    let stderr = '';
    const child = spawn(file!, args, { stdio: ['ignore', 'ignore', 'pipe', fd] });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') resolve('missing');
      else reject(error);
    });
    child.once('close', (code, signal) => {
      if (code === 0) resolve('locked');
      else if (code === 1) resolve('busy');
      else if (code !== null || signal !== null) {
        reject(
          new Error(
            `${file} could not lock the spool (exit ${code ?? signal}): ${stderr.trim() || 'no message'}`,
          ),
        );
      }
    });
  });
}

async function describeOwner(handle: fs.FileHandle): Promise<string> {
  const { bytesRead, buffer } = await handle.read(Buffer.alloc(256), 0, 256, 0);
  const owner = buffer.subarray(0, bytesRead).toString('utf8').trim();
  return owner === '' ? 'another process' : owner;
}

export async function acquireSpoolLock(
  dir: string,
  helpers: readonly (readonly string[])[] = LOCK_HELPERS,
): Promise<SpoolLock> {
  const file = path.join(dir, LOCK_FILE);
  // No O_TRUNC: the file names the current owner until the lock is ours.
  const handle = await fs.open(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  try {
    let outcome: HelperOutcome = 'missing';
    for (const helper of helpers) {
      outcome = await runHelper(helper, handle.fd);
      if (outcome !== 'missing') break;
    }
    if (outcome === 'missing') {
      throw new Error(
        `cannot lock spool directory ${dir}: none of ${helpers.map((h) => h[0]).join(', ')} is installed`,
      );
    }
    if (outcome === 'busy') {
      throw new Error(
        `spool directory ${dir} is in use by ${await describeOwner(handle)}: one collector per spool directory`,
      );
    }
    // For the message another starter shows; the lock itself is the flock, not this text.
    const owner = Buffer.from(`process ${process.pid} on host ${os.hostname()}\n`);
    await handle.truncate(0);
    await handle.write(owner, 0, owner.length, 0);
  } catch (error) {
    await handle.close();
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await handle.close();
    },
  };
}
