// `npm run db`: a local QuestDB in the foreground for development. Ctrl-C stops it cleanly.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { QuestDBHarnessError } from './errors';
import { startQuestDB } from './server';

function port(flag: string | undefined, envName: string, fallback: number): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`invalid port "${raw}" (from --${envName} or ${envName}): expected 1..65535`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      host: { type: 'string' },
      'http-port': { type: 'string' },
      'pg-port': { type: 'string' },
      'ilp-port': { type: 'string' },
      heap: { type: 'string' },
    },
  });
  const root =
    values.root ??
    process.env['QUESTDB_ROOT'] ??
    path.resolve(__dirname, '..', '.cache', 'dev-root');
  const server = await startQuestDB({
    root,
    host: values.host ?? process.env['QUESTDB_HOST'] ?? '127.0.0.1',
    httpPort: port(values['http-port'], 'QUESTDB_HTTP_PORT', 9000),
    pgPort: port(values['pg-port'], 'QUESTDB_PG_PORT', 8812),
    ilpPort: port(values['ilp-port'], 'QUESTDB_ILP_PORT', 9009),
    heap: values.heap ?? process.env['QUESTDB_HEAP'] ?? '1g',
    output: 'inherit',
  });
  process.stderr.write(
    `\nQuestDB is up: console and REST ${server.httpUrl}, PostgreSQL wire ${server.pgUrl}, ` +
      `ILP/TCP ${server.host}:${server.ilpPort}, data in ${server.root}. Ctrl-C stops it.\n`,
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
    process.stderr.write(`QuestDB exited on its own (code ${code}).\n`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof QuestDBHarnessError ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
