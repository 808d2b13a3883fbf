import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  /** Shown in failure messages (default: the command). */
  readonly name?: string;
  readonly cwd?: string;
  /** The child's whole environment: nothing of the test runner's is passed unless listed here. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Appends stdout and stderr to this file instead of keeping them in memory (long runs, such as
   * benchmarks); `output()` then reads the file's tail.
   */
  readonly logFile?: string;
  /** How much of the output is kept for failure messages. */
  readonly keepOutputChars?: number;
}

export interface StopOptions {
  /**
   * Sent to the process first (default SIGTERM), as `docker stop` sends it to a container's
   * entry process: wrappers (tsx, npx) relay it, and the process sees it once.
   */
  readonly signal?: NodeJS.Signals;
  /** After this long the whole group gets SIGKILL (default 20 s). */
  readonly graceMs?: number;
}

/**
 * A child process in a process group of its own, so that what it starts (tsx's node, npx's
 * children, unshare's namespace) can be killed together with it.
 */
export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles once the process has exited; never rejects. */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once exited. */
  exitStatus(): ExitStatus | undefined;
  /** The last part of stdout and stderr interleaved, for failure messages. */
  output(): string;
  /** The last part of stderr alone. */
  stderr(): string;
  /** Sends `signal` to the process (nothing when it is gone). */
  signal(signal: NodeJS.Signals): void;
  /**
   * Signals the process, waits for its exit, and SIGKILLs the whole group after `graceMs`, or
   * when something of the group outlives the process itself. Idempotent: every call after the first
   * returns the first call's result; after an exit it only makes sure the group is gone.
   */
  stop(options?: StopOptions): Promise<ExitStatus>;
}

const DEFAULT_KEEP_OUTPUT_CHARS = 64_000;
const DEFAULT_GRACE_MS = 20_000;

// Every group the kit started and has not seen gone. A jest worker that ends (a failed
// beforeAll, a timeout) must not leave one behind: they are SIGKILLed when the worker exits.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function groupAlive(pid: number): boolean {
  return killGroup(pid, 0 as unknown as NodeJS.Signals);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

function tail(text: string, chars: number): string {
  return text.length > chars ? text.slice(-chars) : text;
}

/** A failure message: what happened, then the process's output. */
export function withOutput(message: string, proc: Pick<RunningProcess, 'output'>): string {
  const output = proc.output().trimEnd();
  return output === '' ? `${message} (no output)` : `${message}; its output:\n${output}`;
}

/** Starts `command` (argv[0] is the executable) in a process group of its own. */
export function startProcess(
  command: readonly string[],
  options: StartProcessOptions = {},
): RunningProcess {
  const [executable, ...args] = command;
  if (executable === undefined) throw new Error('startProcess: empty command');
  const name = options.name ?? command.join(' ');
  const keep = options.keepOutputChars ?? DEFAULT_KEEP_OUTPUT_CHARS;
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(executable, args, {
    cwd: options.cwd,
    env: options.env ?? {},
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    detached: true,
  });
  if (logFd !== undefined) closeSync(logFd);

  let combined = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    combined = tail(combined + chunk.toString(), keep);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    combined = tail(combined + chunk.toString(), keep);
    errors = tail(errors + chunk.toString(), keep);
  });

  let status: ExitStatus | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
    child.once('error', (error) => {
      // Not started at all (ENOENT, EACCES): there is no exit event to wait for.
      spawnError = error;
      if (child.pid === undefined) {
        status = { code: null, signal: null };
        resolve(status);
      }
    });
  });
  const pid = child.pid ?? 0;
  if (pid > 0) {
    installExitHook();
    liveGroups.add(pid);
  }

  const output = (): string => {
    const spawnNote = spawnError === undefined ? '' : `${spawnError.message}\n`;
    if (options.logFile === undefined) return spawnNote + combined;
    try {
      return spawnNote + tail(readFileSync(options.logFile, 'utf8'), keep);
    } catch {
      return spawnNote;
    }
  };

  let stopping: Promise<ExitStatus> | undefined;
  const stop = (stopOptions: StopOptions = {}): Promise<ExitStatus> => {
    stopping ??= (async () => {
      const graceMs = stopOptions.graceMs ?? DEFAULT_GRACE_MS;
      if (pid === 0) return exited;
      if (status === undefined) signalProcess(pid, stopOptions.signal ?? 'SIGTERM');
      const timedOut = Symbol('timeout');
      const timer = new AbortController();
      const first = await Promise.race([
        exited,
        sleep(graceMs, timedOut, { signal: timer.signal }).catch(() => undefined),
      ]);
      timer.abort();
      if (first === timedOut) killGroup(pid, 'SIGKILL');
      const result = await exited;
      // What the process started in its group (npx's children, a shell's background jobs) may
      // outlive it: SIGTERM, a moment to close, then SIGKILL.
      if (groupAlive(pid)) {
        killGroup(pid, 'SIGTERM');
        const deadline = Date.now() + Math.min(graceMs, 5_000);
        while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
        killGroup(pid, 'SIGKILL');
      }
      liveGroups.delete(pid);
      return result;
    })();
    return stopping;
  };

  return {
    name,
    pid,
    exited,
    exitStatus: () => status,
    output,
    stderr: () => errors,
    signal: (signal) => {
      if (pid > 0 && status === undefined) signalProcess(pid, signal);
    },
    stop,
  };
}
