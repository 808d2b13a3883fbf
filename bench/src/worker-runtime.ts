import type { WorkerMessage } from './processes';

/**
 * The worker side of the fork IPC channel. A worker handles the parent's messages in order, exits
 * on `exit` or when the parent goes away, and reports any failure as `fatal` before exiting.
 */
export function reply<M extends WorkerMessage>(message: M): void {
  process.send?.(message);
}

export function fail(error: unknown): void {
  reply({
    type: 'fatal',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  setTimeout(() => process.exit(1), 100).unref();
}

export function runWorker<In extends WorkerMessage>(
  handle: (message: In) => void | Promise<void>,
  onExit: () => void | Promise<void> = () => undefined,
): void {
  if (!process.send)
    throw new Error('a benchmark worker must be started by the harness (fork with IPC)');
  let chain: Promise<void> = Promise.resolve();
  const exit = (): void => {
    chain = chain
      .then(onExit)
      .catch(() => undefined)
      .then(() => process.exit(0));
  };
  process.on('message', (raw: unknown) => {
    const message = raw as In;
    if (message.type === 'exit') {
      exit();
      return;
    }
    chain = chain.then(() => handle(message)).catch(fail);
  });
  process.on('disconnect', exit);
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}
