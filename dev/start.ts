// `npm start`: QuestDB, the collector (auth off, on loopback) and the demo workload together in one
// terminal, for a first look without Docker. One Ctrl-C stops all three: the demo first (it
// flushes to the collector), then the collector (it flushes to QuestDB), then QuestDB.
// Run as `node --import tsx` (package.json), not through the tsx command: that one relays signals
// to its child and SIGKILLs it when the child does not acknowledge within milliseconds, which on a
// busy machine would cut this shutdown short.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CONFIG_VARIABLES,
  ConfigError,
  createCollector,
  createLogger,
  loadConfig,
  type Collector,
} from '@scrapewatch/collector';
import { QuestDBHarnessError, startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';

const REPO = path.resolve(__dirname, '..');
const DEMO_STOP_GRACE_MS = 10_000;
/** Signals this close to the first one are the same Ctrl-C; later ones force the stop. */
const SAME_KEYPRESS_MS = 1_000;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name}="${raw}": expected a port, 0..65535`);
  return value;
}

/** The pinned QuestDB data source version, from the Grafana image that installs it. */
function questdbDatasourceVersion(): string {
  const dockerfile = readFileSync(
    path.join(REPO, 'provisioning', 'docker', 'grafana.Dockerfile'),
    'utf8',
  );
  return /^ARG QUESTDB_DATASOURCE_VERSION=(\S+)$/m.exec(dockerfile)?.[1] ?? '(see docs/grafana.md)';
}

/** The collector's environment: the user's collector variables, with what `npm start` fixes. */
function collectorEnv(server: QuestDBServer): Record<string, string> {
  const known = new Set<string>(CONFIG_VARIABLES);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (known.has(name) && value !== undefined) env[name] = value;
  return {
    SCRAPEWATCH_PORT: '8080',
    SCRAPEWATCH_LOG_LEVEL: 'warn',
    SCRAPEWATCH_SPOOL_DIR: path.join(REPO, '.scrapewatch-spool'),
    // A Grafana on this machine (its default port) may open the live stream from the browser.
    SCRAPEWATCH_ALLOWED_ORIGINS: 'http://localhost:3000,http://127.0.0.1:3000',
    ...env,
    SCRAPEWATCH_AUTH: 'off',
    SCRAPEWATCH_HOST: '127.0.0.1',
    SCRAPEWATCH_QUESTDB_HTTP: server.httpUrl,
    SCRAPEWATCH_QUESTDB_PG: server.pgUrl,
  };
}

function banner(server: QuestDBServer, collectorUrl: string): string {
  return [
    '',
    'Scrapewatch is running without Docker. Ctrl-C stops everything.',
    '',
    `  QuestDB web console  ${server.httpUrl}  (PostgreSQL wire ${server.host}:${server.pgPort}; data and questdb.log in ${server.root})`,
    `  Collector            ${collectorUrl}  (auth off, loopback only: /readyz, /metrics, /v1/scrapers, /v1/history)`,
    '  Demo                 simulated scrapers robinhood, cnbc, webull, marketbeat, yahoo and a scheduler',
    '',
    'To watch it in a Grafana 13 of your own (README.md, "Grafana without Docker"):',
    "  1. npm run build -w grafana-plugin, copy grafana-plugin/dist into Grafana's plugins folder as",
    '     scrapewatch-live-datasource, and set [plugins] allow_loading_unsigned_plugins = scrapewatch-live-datasource',
    `  2. grafana cli plugins install questdb-questdb-datasource ${questdbDatasourceVersion()}`,
    '  3. copy provisioning/datasources, provisioning/dashboards and provisioning/alerting into',
    `     /etc/grafana/provisioning, set the Scrapewatch Live data source's url to ${collectorUrl}`,
    '     (datasources.yaml), and start Grafana with these variables:',
    '     SCRAPEWATCH_GRAFANA_STREAM_TOKEN=auth-is-off',
    `     SCRAPEWATCH_QUESTDB_HOST=${server.host} SCRAPEWATCH_QUESTDB_USER=admin SCRAPEWATCH_QUESTDB_PASSWORD=quest`,
    '     SCRAPEWATCH_ALERT_WEBHOOK_URL=http://127.0.0.1:9/alerts',
    '',
  ].join('\n');
}

function startDemo(collectorUrl: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, SCRAPEWATCH_URL: collectorUrl };
  delete env['SCRAPEWATCH_TOKEN'];
  // Flags after `npm start --` go to the demo (--speed, --backfill-hours, --duration-s, --suffix).
  return spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'sdk', 'demo', 'main.ts'), ...process.argv.slice(2)],
    { cwd: REPO, env, stdio: 'inherit' },
  );
}

async function main(): Promise<void> {
  const server = await startQuestDB({
    root: process.env['QUESTDB_ROOT'] ?? path.join(REPO, 'questdb', '.cache', 'dev-root'),
    host: '127.0.0.1',
    httpPort: port('QUESTDB_HTTP_PORT', 9000),
    pgPort: port('QUESTDB_PG_PORT', 8812),
    ilpPort: port('QUESTDB_ILP_PORT', 9009),
    heap: process.env['QUESTDB_HEAP'] ?? '1g',
  });
  let collector: Collector | undefined;
  let demo: ChildProcess | undefined;
  let demoExited: Promise<void> = Promise.resolve();
  let stopping = false;

  const stop = async (code: number): Promise<never> => {
    stopping = true;
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      const timer = setTimeout(() => demo?.kill('SIGKILL'), DEMO_STOP_GRACE_MS);
      await demoExited;
      clearTimeout(timer);
    }
    if (collector) await collector.close().catch(() => undefined);
    await server.stop();
    say('Scrapewatch stopped: the demo, the collector and QuestDB are down.');
    process.exit(code);
  };
  let firstSignalMs: number | undefined;
  const onSignal = (): void => {
    if (firstSignalMs === undefined) {
      firstSignalMs = Date.now();
      say('\nStopping: the demo, then the collector, then QuestDB (Ctrl-C again to force)...');
      void stop(0);
      return;
    }
    // One Ctrl-C can arrive twice: from the terminal and forwarded by npm.
    if (Date.now() - firstSignalMs < SAME_KEYPRESS_MS) return;
    demo?.kill('SIGKILL');
    void server.kill().then(() => process.exit(1));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  void server.exited.then((code) => {
    if (stopping) return;
    say(`QuestDB exited on its own (code ${code}); see ${server.root}/questdb.log.`);
    void stop(1);
  });

  try {
    const config = loadConfig(collectorEnv(server));
    collector = createCollector(config, { logger: createLogger(config.logLevel) });
    const { url } = await collector.start();
    demo = startDemo(url);
    demoExited = new Promise((resolve) => demo?.once('exit', () => resolve()));
    demo.once('exit', (code, signal) => {
      if (!stopping)
        say(
          `The demo ended (${signal ?? `exit code ${code}`}); QuestDB and the collector keep running. Ctrl-C stops them.`,
        );
    });
    say(banner(server, url));
  } catch (error) {
    process.stderr.write(
      `npm start: ${error instanceof ConfigError ? 'invalid collector configuration: ' : ''}${error instanceof Error ? error.message : String(error)}\n`,
    );
    await stop(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `npm start: ${error instanceof QuestDBHarnessError ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
