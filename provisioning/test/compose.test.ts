import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const REPO = path.resolve(__dirname, '..', '..');
const composeFile = path.join(REPO, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  command?: string[];
  stop_grace_period?: string;
}

const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, Service> };

/**
 * What docker-compose sees without .env (the development defaults must be enough), with `vars` as
 * the only variables set.
 */
function composeConfig(vars: Record<string, string> = {}): string {
  try {
    return execFileSync(
      'docker-compose',
      ['-f', composeFile, '--project-directory', REPO, 'config'],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...vars },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'docker-compose is not installed: apt-get install -y docker-compose (.ci/run does)',
      );
    }
    throw new Error(
      `docker-compose config failed: ${String((error as { stderr?: string }).stderr ?? error)}`,
    );
  }
}

describe('docker-compose.yml', () => {
  it('passes `docker-compose config` with no .env and no variables set', () => {
    const rendered = parse(composeConfig()) as { services: Record<string, Service> };
    expect(Object.keys(rendered.services).sort()).toEqual([
      'collector',
      'demo',
      'grafana',
      'questdb',
    ]);
    // Every ${VAR:-default} resolved to a usable value.
    const grafanaEnv = rendered.services['grafana']?.environment ?? {};
    for (const [name, value] of Object.entries(grafanaEnv))
      expect({ name, value: value !== '' }).toEqual({ name, value: true });
  });

  it('builds and mounts only paths that exist in the repository', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) {
        const context = path.resolve(REPO, service.build.context);
        expect(statSync(context).isDirectory()).toBe(true);
        const dockerfile = path.resolve(context, service.build.dockerfile ?? 'Dockerfile');
        expect({ name, dockerfile: existsSync(dockerfile) }).toEqual({ name, dockerfile: true });
        // Every COPY source of the Dockerfile exists in the context (multi-stage --from excluded).
        for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
          const m = /^COPY\s+(?!--from)(?:--\S+\s+)*(.+)\s+\S+$/.exec(line.trim());
          if (!m) continue;
          for (const source of m[1]!.trim().split(/\s+/)) {
            expect({
              dockerfile,
              source,
              exists: existsSync(path.resolve(context, source)),
            }).toEqual({
              dockerfile,
              source,
              exists: true,
            });
          }
        }
      }
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (!source || !/^[./]/.test(source)) continue; // named volume
        expect({ name, volume, exists: existsSync(path.resolve(REPO, source)) }).toEqual({
          name,
          volume,
          exists: true,
        });
        expect(volume.endsWith(':ro')).toBe(true);
      }
    }
  });

  it('wires the services as the stack needs', () => {
    const { questdb, collector, demo, grafana } = compose.services;
    expect(questdb?.image).toBe('questdb/questdb:9.3.4');
    expect(questdb?.healthcheck).toBeDefined();
    expect(collector?.depends_on?.['questdb']?.condition).toBe('service_healthy');
    expect(collector?.environment?.['SCRAPEWATCH_HOST']).toBe('0.0.0.0');
    expect(collector?.environment?.['SCRAPEWATCH_ALLOWED_ORIGINS']).toBe(
      '${SCRAPEWATCH_ALLOWED_ORIGINS:-http://localhost:3000}',
    );
    expect(String(JSON.stringify(collector?.healthcheck))).toContain('/readyz');
    // Longer than one QuestDB round trip (SCRAPEWATCH_QUESTDB_TIMEOUT_MS, 10 s) for the final flush.
    expect(Number(/^(\d+)s$/.exec(collector?.stop_grace_period ?? '')?.[1])).toBeGreaterThan(10);
    // The collector rejects unknown SCRAPEWATCH_* variables: only known names reach it.
    expect(
      Object.keys(collector?.environment ?? {}).every((k) => k.startsWith('SCRAPEWATCH_')),
    ).toBe(true);
    expect(demo?.command).toEqual(['node', 'sdk/dist/demo/main.js']);
    expect(demo?.environment?.['SCRAPEWATCH_URL']).toBe('http://collector:8080');
    expect(demo?.image).toBe(collector?.image);
    expect(grafana?.environment?.['GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS']).toBe(
      'scrapewatch-live-datasource',
    );
    expect(grafana?.environment?.['GF_AUTH_ANONYMOUS_ENABLED']).toBe('false');
    expect(grafana?.environment?.['GF_SERVER_ROOT_URL']).toBe(
      '${GRAFANA_ROOT_URL:-http://localhost:3000}',
    );
    expect(grafana?.environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH']).toBe(
      '/etc/grafana/provisioning/dashboards/json/overview.json',
    );
    const dockerfile = readFileSync(path.join(REPO, grafana!.build!.dockerfile!), 'utf8');
    expect(dockerfile).toMatch(/^FROM grafana\/grafana:13\.2\.\d+$/m);
    expect(dockerfile).toContain('npm run build -w grafana-plugin');
  });

  it('.env.example documents every variable docker-compose.yml reads', () => {
    const text = readFileSync(composeFile, 'utf8');
    const used = new Set([...text.matchAll(/\$\{(\w+):-/g)].map((m) => m[1]));
    const example = readFileSync(path.join(REPO, '.env.example'), 'utf8');
    const lines = example.split('\n');
    for (const name of used) {
      const index = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect({ name, documented: index > 0 && lines[index - 1]!.startsWith('#') }).toEqual({
        name,
        documented: true,
      });
    }
  });

  it('takes the allowed origins and Grafana root URL from the environment (.env), with defaults', () => {
    const defaults = parse(composeConfig()) as { services: Record<string, Service> };
    expect(defaults.services['collector']?.environment?.['SCRAPEWATCH_ALLOWED_ORIGINS']).toBe(
      'http://localhost:3000',
    );
    expect(defaults.services['grafana']?.environment?.['GF_SERVER_ROOT_URL']).toBe(
      'http://localhost:3000',
    );
    const set = parse(
      composeConfig({
        SCRAPEWATCH_ALLOWED_ORIGINS: 'https://grafana.example.com',
        GRAFANA_ROOT_URL: 'https://grafana.example.com/',
      }),
    ) as { services: Record<string, Service> };
    expect(set.services['collector']?.environment?.['SCRAPEWATCH_ALLOWED_ORIGINS']).toBe(
      'https://grafana.example.com',
    );
    expect(set.services['grafana']?.environment?.['GF_SERVER_ROOT_URL']).toBe(
      'https://grafana.example.com/',
    );
  });
});

describe('the Grafana image', () => {
  const grafana = compose.services['grafana']!;
  const dockerfile = readFileSync(path.join(REPO, grafana.build!.dockerfile!), 'utf8');
  const install =
    /grafana cli --pluginsDir "\$GF_PATHS_PLUGINS" plugins install questdb-questdb-datasource "\$QUESTDB_DATASOURCE_VERSION"/;
  const pinned = /^ARG QUESTDB_DATASOURCE_VERSION=(\S+)$/m.exec(dockerfile)?.[1];

  it('installs the QuestDB data source at a pinned release when the image is built', () => {
    // An exact published version (questdb/grafana-questdb-datasource tags), never "latest".
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(dockerfile).toMatch(install);
    // Installed in the final (Grafana) stage, into the plugins folder Grafana reads.
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^FROM grafana\/grafana:/m);
    expect(finalStage).toMatch(install);
    expect(finalStage).toMatch(/^ENV GF_PATHS_PLUGINS=\/opt\/scrapewatch\/plugins$/m);
    // docs/grafana.md and the README (Grafana without Docker) name the same version.
    const docs = readFileSync(path.join(REPO, 'docs', 'grafana.md'), 'utf8');
    expect(docs).toContain(`questdb-questdb-datasource\` ${pinned}`);
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    expect(readme).toContain(`plugins install questdb-questdb-datasource ${pinned}`);
  });

  it('downloads nothing when the container starts', () => {
    const env = grafana.environment ?? {};
    for (const name of [
      'GF_PLUGINS_PREINSTALL',
      'GF_PLUGINS_PREINSTALL_SYNC',
      'GF_INSTALL_PLUGINS',
    ])
      expect({ name, set: name in env }).toEqual({ name, set: false });
    // Grafana 12+ also preinstalls a default list in the background unless this is set.
    expect(env['GF_PLUGINS_PREINSTALL_DISABLED']).toBe('true');
    // The plugins folder is in the image, not under a volume that would shadow it.
    for (const volume of grafana.volumes ?? [])
      expect(volume.split(':')[1]?.startsWith('/opt/scrapewatch')).toBe(false);
  });

  it('copies the plugin the repository builds, and serves a home dashboard that is mounted', () => {
    // COPY --from=plugin /src/<path>: the plugin stage works in /src, a copy of the repository.
    const copy = /^COPY --from=plugin \S+ \/src\/(\S+) \/opt\/scrapewatch\/plugins\/(\S+)$/m.exec(
      dockerfile,
    );
    expect(copy?.[2]).toBe('scrapewatch-live-datasource');
    // `npm test` builds the plugin before jest runs (alone: npm run build -w grafana-plugin).
    const built = path.join(copy![1]!, 'plugin.json');
    expect({ built, exists: existsSync(path.join(REPO, built)) }).toEqual({ built, exists: true });
    const home = grafana.environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'] ?? '';
    const mount = (grafana.volumes ?? [])
      .map((v) => v.split(':'))
      .find(([, target]) => target !== undefined && home.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    expect(existsSync(path.join(REPO, mount![0]!, home.slice(mount![1]!.length)))).toBe(true);
  });
});

describe('docker-compose.cluster.yml (cluster mode on top of docker-compose.yml)', () => {
  const clusterFile = path.join(REPO, 'docker-compose.cluster.yml');
  const rendered = (): { services: Record<string, Service & { ports?: unknown[] }> } =>
    parse(
      execFileSync(
        'docker-compose',
        ['-f', composeFile, '-f', clusterFile, '--project-directory', REPO, 'config'],
        {
          cwd: REPO,
          encoding: 'utf8',
          env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    ) as { services: Record<string, Service & { ports?: unknown[] }> };

  it('passes `docker-compose config` with a three-node NATS cluster, two collectors and nginx', () => {
    const { services } = rendered();
    expect(Object.keys(services).sort()).toEqual([
      'collector',
      'collector-2',
      'demo',
      'grafana',
      'lb',
      'nats-1',
      'nats-2',
      'nats-3',
      'questdb',
    ]);
    for (const node of ['nats-1', 'nats-2', 'nats-3']) {
      const command = services[node]?.command ?? [];
      expect(command).toContain('--jetstream');
      const routes = command.find((arg) => arg.startsWith('--routes='));
      // Each node routes to the two others.
      expect(routes?.split(',')).toHaveLength(2);
      expect(routes).not.toContain(`${node}:`);
    }
    for (const collector of ['collector', 'collector-2']) {
      const env = services[collector]?.environment ?? {};
      expect(env['SCRAPEWATCH_NATS_URL']).toBe(
        'nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222',
      );
      expect(env['SCRAPEWATCH_NATS_REPLICAS']).toBe('3');
      expect(Object.keys(services[collector]?.depends_on ?? {})).toEqual(
        expect.arrayContaining(['questdb', 'nats-1', 'nats-2', 'nats-3']),
      );
    }
    expect(services['demo']?.environment?.['SCRAPEWATCH_URL']).toBe('http://lb:8080');
  });

  it('configures nginx to balance both collectors and upgrade WebSockets', () => {
    const conf = readFileSync(path.join(REPO, 'provisioning/cluster/nginx.conf'), 'utf8');
    expect(conf).toMatch(/server collector:8080/);
    expect(conf).toMatch(/server collector-2:8080/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
  });
});
