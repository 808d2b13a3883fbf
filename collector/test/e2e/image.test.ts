import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testQuestDB } from '@scrapewatch/questdb';
import { spawnCollector } from '@scrapewatch/testkit';
import { INGEST_TOKEN, post, scrape, uniquePrefix, waitForRows } from './harness';

// No Docker engine is needed: the build stage of collector/Dockerfile is replayed outside Docker,
// instruction by instruction (ENV, WORKDIR, COPY from the repository honouring .dockerignore, RUN
// with sh), in a temporary directory standing for the image's file system. Then the final stage's
// CMD runs in the tree it copies, with its ENV, against the test QuestDB.
const REPO = path.resolve(__dirname, '../../..');
const DOCKERFILE = path.join(REPO, 'collector', 'Dockerfile');

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      stages.push({ name: /\sAS\s+(\S+)$/i.exec(args)?.[1], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** `KEY=value KEY2=value2` (values without spaces, as this Dockerfile writes them). */
function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries(
    args
      .split(/\s+/)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/** .dockerignore patterns as a test on a path relative to the build context. */
function dockerIgnore(): (relative: string) => boolean {
  const patterns = readFileSync(path.join(REPO, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((pattern) => {
      const body = pattern
        .split('**/')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
        .join('(?:.*/)?');
      return new RegExp(`^${body}$`);
    });
  // A path is excluded when it, or a folder above it, matches.
  return (relative) => {
    const parts = relative.split(path.sep);
    return parts.some((_, i) => patterns.some((p) => p.test(parts.slice(0, i + 1).join('/'))));
  };
}

function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign(
    {},
    ...stage.instructions.filter((i) => i.op === 'ENV').map((i) => parseEnv(i.args)),
  ) as Record<string, string>;
}

/** Replays one stage's ENV, WORKDIR, COPY and RUN; `root` stands for the image's "/". */
function replay(stage: Stage, root: string): void {
  const ignored = dockerIgnore();
  let workdir = root;
  let env: Record<string, string> = {};
  for (const { op, args } of stage.instructions) {
    if (op === 'ENV') env = { ...env, ...parseEnv(args) };
    else if (op === 'WORKDIR') {
      workdir = path.join(root, args);
      mkdirSync(workdir, { recursive: true });
    } else if (op === 'COPY') {
      const tokens = args.split(/\s+/).filter((t) => !t.startsWith('--'));
      const dest = tokens.pop()!;
      const target = dest.startsWith('/') ? path.join(root, dest) : path.join(workdir, dest);
      for (const source of tokens) {
        const from = path.join(REPO, source);
        // A folder's contents go into the target; a file goes into it when it ends with "/".
        const into =
          !statSync(from).isDirectory() && dest.endsWith('/')
            ? path.join(target, path.basename(source))
            : target;
        cpSync(from, into, {
          recursive: true,
          filter: (src) => src === from || !ignored(path.relative(REPO, src)),
        });
      }
    } else if (op === 'RUN') {
      const run = spawnSync('sh', ['-c', args], {
        cwd: workdir,
        encoding: 'utf8',
        // The machine's npm cache stands in for the registry when it can.
        env: {
          PATH: process.env['PATH'],
          HOME: process.env['HOME'],
          npm_config_prefer_offline: 'true',
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
      });
      if (run.status !== 0)
        throw new Error(`RUN ${args} failed (${run.status}):\n${run.stdout}${run.stderr}`);
    }
  }
}

describe('collector/Dockerfile', () => {
  const stages = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
  const build = stages.find((s) => s.name === 'build');
  const final = stages.at(-1)!;
  const cmd = JSON.parse(final.instructions.findLast((i) => i.op === 'CMD')!.args) as string[];
  const fs = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-image-'));
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-image-spool-'));
  afterAll(() => {
    rmSync(fs, { recursive: true, force: true });
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('runs the collector with node itself, no npm, npx or tsx in between', () => {
    expect(cmd[0]).toBe('node');
    expect(cmd).toHaveLength(2);
    expect(cmd[1]).toMatch(/\.js$/);
  });

  it('builds JavaScript that starts, serves /readyz, ingests, and exits 0 on SIGTERM', async () => {
    expect(build).toBeDefined();
    replay(build!, fs);
    // The final stage takes the build stage's runtime tree and nothing else from it.
    const copy = final.instructions.find(
      (i) => i.op === 'COPY' && i.args.startsWith('--from=build'),
    );
    const [, source = ''] = /^--from=build\s+(\S+)\s+\S+$/.exec(copy?.args ?? '') ?? [];
    const app = path.join(fs, source);
    const imageEnv = stageEnv(final);
    expect(existsSync(path.join(app, cmd[1]!))).toBe(true);
    // Production dependencies only.
    expect(existsSync(path.join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules', 'express'))).toBe(true);
    // The demo's command in docker-compose.yml runs from the same tree: it loads (--help).
    const demo = spawnSync(process.execPath, ['sdk/dist/demo/main.js', '--help'], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], ...imageEnv },
    });
    expect({
      status: demo.status,
      usage: demo.stdout.includes('Usage:') || demo.stderr.includes('Usage:'),
    }).toEqual({ status: 0, usage: true });

    const { httpUrl, pgUrl } = testQuestDB();
    const env = {
      ...imageEnv,
      // The test's own address, port and spool instead of the container's.
      SCRAPEWATCH_HOST: '127.0.0.1',
      SCRAPEWATCH_SPOOL_DIR: spoolDir,
      SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
      SCRAPEWATCH_QUESTDB_PG: pgUrl,
      SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
    };
    // The image's CMD in the tree it copies, with the image's environment only; port 0, so the
    // url comes from the "listening" log line.
    const collector = await spawnCollector({
      command: [process.execPath, ...cmd.slice(1)],
      cwd: app,
      inherit: 'path',
      port: 0,
      env,
      readyTimeoutMs: 60_000,
    });
    try {
      const url = collector.url;
      // The image's HEALTHCHECK command, as Docker runs it (a shell, the container's environment).
      const healthcheck = final.instructions.find((i) => i.op === 'HEALTHCHECK')!.args;
      const probe = /\bCMD\s+(.*)$/.exec(healthcheck)![1]!;
      const health = spawnSync('sh', ['-c', probe], {
        env: { PATH: process.env['PATH'] ?? '', ...env, SCRAPEWATCH_PORT: new URL(url).port },
        encoding: 'utf8',
      });
      expect(health.status).toBe(0);

      const scraper = uniquePrefix('image');
      expect((await post(url, JSON.stringify(scrape(scraper)))).status).toBe(202);
      expect(await collector.stop()).toEqual({ code: 0, signal: null });
      expect(collector.output()).toMatch(/"msg":"closed"/);
      await waitForRows('page_scrape', `scraper = '${scraper}'`, 1);
    } finally {
      await collector.stop();
    }
  }, 600_000);
});
