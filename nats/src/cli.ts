// `npm run nats`: a local nats-server with JetStream in the foreground. Ctrl-C stops it cleanly.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NatsHarnessError, startNats } from './server';

function port(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`invalid port "${raw}" (${name}): expected 1..65535`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'monitor-port': { type: 'string' },
    },
  });
  const server = await startNats({
    root:
      values.root ??
      process.env['NATS_ROOT'] ??
      path.resolve(__dirname, '..', '.cache', 'dev-root'),
    host: values.host ?? process.env['NATS_HOST'] ?? '127.0.0.1',
    port: port(values.port ?? process.env['NATS_PORT'], '--port or NATS_PORT', 4222),
    monitorPort: port(
      values['monitor-port'] ?? process.env['NATS_MONITOR_PORT'],
      '--monitor-port or NATS_MONITOR_PORT',
      8222,
    ),
    output: 'inherit',
  });
  process.stderr.write(
    `\nnats-server is up with JetStream: ${server.url} (SCRAPEWATCH_NATS_URL), monitoring ` +
      `http://${server.host}:${server.monitorPort}, store in ${server.root}. Ctrl-C stops it.\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await server.exited;
  if (!stopping) {
    process.stderr.write(`nats-server exited on its own (code ${code}).\n`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof NatsHarnessError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
