import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Load generators, subscribers and the baseline server each run in their own process, so the
 * harness that measures is never the bottleneck it measures. Parent and worker talk over the
 * fork IPC channel: plain JSON messages with a `type`.
 */
export interface WorkerMessage {
  readonly type: string;
}

/** Every worker reports an uncaught failure this way before exiting. */
export interface FatalMessage {
  readonly type: 'fatal';
  readonly message: string;
}

export interface WorkerHandle<In extends WorkerMessage, Out extends WorkerMessage> {
  readonly name: string;
  readonly pid: number | undefined;
  send(message: In): void;
  /** The next message of this type (buffered ones first); rejects on `fatal`, exit or deadline. */
  next<T extends Out['type']>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>>;
  /** Asks the worker to exit, then kills it after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const WORKER_DIR = path.join(__dirname, 'workers');

/**
 * The node flags that load TypeScript the way the harness itself was loaded (`--import` of tsx's
 * loader), without tsx's signal-relay preflight or any profiling flag of the harness.
 */
export function typeScriptLoaderArgs(): string[] {
  const args = process.execArgv;
  const at = args.indexOf('--import');
  const loader = at >= 0 ? args[at + 1] : undefined;
  return ['--import', loader ?? 'tsx'];
}

interface Waiter {
  readonly type: string;
  readonly resolve: (message: WorkerMessage) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Forks `workers/<file>.ts` with the TypeScript loader the harness itself runs under (tsx), so a
 * worker needs no build step.
 */
export function forkWorker<In extends WorkerMessage, Out extends WorkerMessage>(
  file: string,
  args: readonly string[] = [],
): WorkerHandle<In, Out> {
  const name = `${file}#${args.join(',')}`;
  const child: ChildProcess = fork(path.join(WORKER_DIR, `${file}.ts`), [...args], {
    execArgv: typeScriptLoaderArgs(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: WorkerMessage[] = [];
  const waiters: Waiter[] = [];
  let failure: Error | undefined;

  const failAll = (error: Error): void => {
    failure ??= error;
    for (const waiter of waiters.splice(0)) waiter.reject(failure);
  };

  child.on('message', (raw: unknown) => {
    const message = raw as WorkerMessage;
    if (message.type === 'fatal') {
      failAll(new Error(`${file}: ${(message as FatalMessage).message}`));
      return;
    }
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index >= 0) {
      const [waiter] = waiters.splice(index, 1);
      waiter?.resolve(message);
    } else {
      queue.push(message);
    }
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      failAll(new Error(`${file} exited (code ${code}, signal ${signal})`));
      resolve();
    });
  });

  return {
    name,
    pid: child.pid,
    send(message) {
      if (child.connected) child.send(message);
    },
    next(type, timeoutMs) {
      const index = queue.findIndex((message) => message.type === type);
      if (index >= 0) {
        const [message] = queue.splice(index, 1);
        return Promise.resolve(message as Extract<Out, { type: typeof type }>);
      }
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(new Error(`${file}: no "${type}" message within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter: Waiter = {
          type,
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message as Extract<Out, { type: typeof type }>);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        waiters.push(waiter);
      });
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits for the same message from every worker of a group. */
export function allNext<In extends WorkerMessage, Out extends WorkerMessage, T extends Out['type']>(
  workers: ReadonlyArray<WorkerHandle<In, Out>>,
  type: T,
  timeoutMs: number,
): Promise<Array<Extract<Out, { type: T }>>> {
  return Promise.all(workers.map((worker) => worker.next(type, timeoutMs)));
}
