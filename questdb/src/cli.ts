// `npm run db`: a local QuestDB in the foreground for development. Ctrl-C stops it cleanly.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { QuestDBHarnessError } from './errors';
import { startQuestDB } from './server';
import { QUESTDB_VERSION } from './version';

const DEFAULT_ROOT = path.resolve(__dirname, '..', '.cache', 'dev-root');

const USAGE = `Usage: npm run db -- [flags]
A local QuestDB ${QUESTDB_VERSION} in the foreground; Ctrl-C stops it. Each flag can also be set
through the environment variable in brackets.
  --root DIR        data directory [QUESTDB_ROOT] (default ${path.relative(process.cwd(), DEFAULT_ROOT) || DEFAULT_ROOT})
  --host ADDRESS    address to listen on [QUESTDB_HOST] (default 127.0.0.1)
  --http-port N     web console, REST and ILP over HTTP [QUESTDB_HTTP_PORT] (default 9000)
  --pg-port N       PostgreSQL wire protocol [QUESTDB_PG_PORT] (default 8812)
  --ilp-port N      ILP over TCP [QUESTDB_ILP_PORT] (default 9009)
  --heap SIZE       JVM heap, e.g. 512m or 2g [QUESTDB_HEAP] (default 1g)
  --help            this text`;

class UsageError extends Error {}

function port(flag: string | undefined, name: string, envName: string, fallback: number): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new UsageError(`invalid port "${raw}" (from --${name} or ${envName}): expected 1..65535`);
  }
  return value;
}

function parseFlags() {
  try {
    return parseArgs({
      options: {
        root: { type: 'string' },
        host: { type: 'string' },
        'http-port': { type: 'string' },
        'pg-port': { type: 'string' },
        'ilp-port': { type: 'string' },
        heap: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    // parseArgs names the unknown option or the missing value.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const values = parseFlags();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const root = values.root ?? process.env['QUESTDB_ROOT'] ?? DEFAULT_ROOT;
  const server = await startQuestDB({
    root,
    host: values.host ?? process.env['QUESTDB_HOST'] ?? '127.0.0.1',
    httpPort: port(values['http-port'], 'http-port', 'QUESTDB_HTTP_PORT', 9000),
    pgPort: port(values['pg-port'], 'pg-port', 'QUESTDB_PG_PORT', 8812),
    ilpPort: port(values['ilp-port'], 'ilp-port', 'QUESTDB_ILP_PORT', 9009),
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
  if (error instanceof UsageError) {
    process.stderr.write(`db: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `${error instanceof QuestDBHarnessError ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
