// What a machine needs to run the tests, checked up front so that a missing tool is named once,
// with what to install, instead of surfacing as a failure deep inside one test.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { findNatsServer, NatsHarnessError } from '@scrapewatch/nats';
import { findJava, QUESTDB_VERSION, QuestDBHarnessError } from '@scrapewatch/questdb';

export const REPO = path.resolve(__dirname, '..');

/** A command-line tool the tests run (dev/prerequisites.json, shared with .ci/run). */
export interface Tool {
  readonly name: string;
  readonly command: string;
  /** The Debian/Ubuntu package that provides it. */
  readonly apt: string;
  readonly why: string;
}

export interface Missing {
  readonly name: string;
  /** What is wrong: not found, or the version found. */
  readonly problem: string;
  readonly why: string;
  /** What to do about it. */
  readonly install: string;
  /** The Debian/Ubuntu package, when one provides it. */
  readonly apt?: string;
}

export interface CheckOptions {
  /** The running Node.js version (process.version). */
  readonly nodeVersion?: string;
  /** Where @scrapewatch/questdb caches the QuestDB jar: with the jar there, Maven is not needed. */
  readonly jarCacheDir?: string;
}

export function requiredTools(): readonly Tool[] {
  const file = path.join(__dirname, 'prerequisites.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { tools: Tool[] }).tools;
}

/** The Node.js versions the repository supports: the root package.json `engines.node`. */
export function supportedNode(): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  return manifest.engines.node;
}

function runs(command: string, env: NodeJS.ProcessEnv): boolean {
  const probe = spawnSync(command, ['--version'], { env, stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** Every prerequisite this environment lacks; empty when the tests can run. */
export function checkPrerequisites(
  env: NodeJS.ProcessEnv = process.env,
  options: CheckOptions = {},
): Missing[] {
  const missing: Missing[] = [];
  const nodeVersion = options.nodeVersion ?? process.version;
  const range = supportedNode();
  if (!semver.satisfies(nodeVersion, range)) {
    missing.push({
      name: 'Node.js',
      problem: `${nodeVersion} is not among the supported versions (${range})`,
      why: 'runs everything; the dependencies need these versions',
      install: 'install Node.js 24 (LTS), 22.13+ or 20.19+ from https://nodejs.org',
    });
  }
  const jarCacheDir = options.jarCacheDir ?? path.join(REPO, 'questdb', '.cache');
  for (const tool of requiredTools()) {
    const install = `apt-get install -y ${tool.apt}`;
    if (tool.command === 'java') {
      try {
        findJava(env);
      } catch (error) {
        if (!(error instanceof QuestDBHarnessError)) throw error;
        const problem =
          error.code === 'JAVA_TOO_OLD'
            ? `too old: ${/\S+ is Java \d+/.exec(error.message)?.[0] ?? error.message}`
            : 'not found';
        missing.push({ name: tool.name, problem, why: tool.why, install, apt: tool.apt });
      }
      continue;
    }
    if (tool.command === 'nats-server') {
      try {
        findNatsServer(env);
      } catch (error) {
        if (!(error instanceof NatsHarnessError)) throw error;
        const problem =
          error.code === 'NATS_SERVER_TOO_OLD' ? `too old: ${error.message}` : 'not found';
        missing.push({ name: tool.name, problem, why: tool.why, install, apt: tool.apt });
      }
      continue;
    }
    if (tool.command === 'mvn') {
      if (existsSync(path.join(jarCacheDir, `questdb-${QUESTDB_VERSION}.jar`))) continue;
      if (runs(env['MAVEN_CMD'] ?? 'mvn', env)) continue;
    } else if (runs(tool.command, env)) {
      continue;
    }
    missing.push({ name: tool.name, problem: 'not found', why: tool.why, install, apt: tool.apt });
  }
  return missing;
}

/** One message naming everything missing, and how to install it all at once. */
export function describeMissing(missing: readonly Missing[]): string {
  const lines = [
    `The tests cannot run: this machine lacks ${missing.length === 1 ? 'one prerequisite' : `${missing.length} prerequisites`} (README.md, "Prerequisites").`,
    ...missing.map((m) => `  - ${m.name}: ${m.problem}; ${m.why}. To fix: ${m.install}`),
  ];
  const apt = missing.flatMap((m) => (m.apt === undefined ? [] : [m.apt]));
  if (apt.length > 0)
    lines.push(`Debian/Ubuntu, all at once: sudo apt-get install -y ${apt.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
