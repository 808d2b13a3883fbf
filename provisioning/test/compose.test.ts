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
}

const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, Service> };

/** What docker-compose sees without .env: the development defaults must be enough. */
function composeConfig(): string {
  try {
    return execFileSync(
      'docker-compose',
      ['-f', composeFile, '--project-directory', REPO, 'config'],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
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
    expect(collector?.environment?.['SCRAPEWATCH_ALLOWED_ORIGINS']).toBe('http://localhost:3000');
    expect(String(JSON.stringify(collector?.healthcheck))).toContain('/readyz');
    // The collector rejects unknown SCRAPEWATCH_* variables: only known names reach it.
    expect(
      Object.keys(collector?.environment ?? {}).every((k) => k.startsWith('SCRAPEWATCH_')),
    ).toBe(true);
    expect(demo?.command?.join(' ')).toContain('sdk/demo/main.ts');
    expect(demo?.environment?.['SCRAPEWATCH_URL']).toBe('http://collector:8080');
    expect(demo?.image).toBe(collector?.image);
    expect(grafana?.environment?.['GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS']).toBe(
      'scrapewatch-live-datasource',
    );
    expect(grafana?.environment?.['GF_AUTH_ANONYMOUS_ENABLED']).toBe('false');
    expect(grafana?.environment?.['GF_PLUGINS_PREINSTALL_SYNC']).toMatch(
      /^questdb-questdb-datasource/,
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
});
