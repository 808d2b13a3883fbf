import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkPrerequisites,
  describeMissing,
  REPO,
  requiredTools,
  supportedNode,
} from '../prerequisites';

// The check hides the real tools by running against a narrowed environment (an empty PATH).
describe('the prerequisite check', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-prereq-check-'));
  const emptyCache = path.join(dir, 'no-jar');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on this machine, where the tests run', () => {
    expect(checkPrerequisites(process.env)).toEqual([]);
  });

  it('names every missing tool at once, with the package that provides it', () => {
    const missing = checkPrerequisites({ PATH: dir }, { jarCacheDir: emptyCache });
    expect(missing.map((m) => [m.name, m.problem, m.apt])).toEqual([
      ['Java 17 or newer', 'not found', 'openjdk-17-jre-headless'],
      ['Maven', 'not found', 'maven'],
      ['docker-compose', 'not found', 'docker-compose'],
      ['Python 3 with venv', 'not found', 'python3-venv'],
      ['nats-server 2.9 or newer', 'not found', 'nats-server'],
    ]);
    const message = describeMissing(missing);
    expect(message).toContain('lacks 5 prerequisites');
    expect(message).toContain(
      'sudo apt-get install -y openjdk-17-jre-headless maven docker-compose python3-venv nats-server',
    );
  });

  it('needs no Maven once the QuestDB jar is cached', () => {
    const missing = checkPrerequisites({ PATH: dir });
    expect(missing.map((m) => m.name)).not.toContain('Maven');
  });

  it('says which Java is too old', () => {
    const javaHome = path.join(dir, 'old-jdk');
    mkdirSync(path.join(javaHome, 'bin'), { recursive: true });
    const java = path.join(javaHome, 'bin', 'java');
    writeFileSync(java, '#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n');
    chmodSync(java, 0o755);
    const [first] = checkPrerequisites({ PATH: dir, JAVA_HOME: javaHome });
    expect(first?.name).toBe('Java 17 or newer');
    expect(first?.problem).toBe(`too old: ${java} is Java 11`);
  });

  it('says which nats-server is too old', () => {
    const bin = path.join(dir, 'old-nats', 'nats-server');
    mkdirSync(path.dirname(bin), { recursive: true });
    writeFileSync(bin, '#!/bin/sh\necho "nats-server: v2.8.4"\n');
    chmodSync(bin, 0o755);
    const missing = checkPrerequisites({ ...process.env, NATS_SERVER_BIN: bin });
    expect(missing.map((m) => [m.name, m.problem])).toEqual([
      [
        'nats-server 2.9 or newer',
        `too old: ${bin} is nats-server: v2.8.4; the tests need nats-server 2.9 or newer.`,
      ],
    ]);
  });

  it.each([
    ['v20.18.3', false],
    ['v20.19.0', true],
    ['v21.7.3', false],
    ['v22.12.0', false],
    ['v22.13.0', true],
    ['v23.11.1', false],
    ['v24.0.0', true],
    ['v26.1.0', true],
  ])('Node.js %s supported: %s', (nodeVersion, supported) => {
    const missing = checkPrerequisites(process.env, { nodeVersion });
    expect(missing.some((m) => m.name === 'Node.js')).toBe(!supported);
  });

  it('stops `npm test` before anything else, with the message', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts['pretest']).toBe('tsx dev/check-prerequisites.ts');
    const run = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'dev/check-prerequisites.ts'],
      {
        cwd: REPO,
        encoding: 'utf8',
        // An empty PATH: no Java, Maven or docker-compose (tsx starts node by its full path).
        env: { PATH: dir },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Java 17 or newer: not found');
    expect(run.stderr).toContain('docker-compose: not found');
  });

  it('is what the README lists and what CI installs', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    // Markdown tables escape "|" as "\\|".
    const section = readme.slice(readme.indexOf('## Prerequisites')).replace(/\\\|/g, '|');
    expect(section).toContain(`\`${supportedNode()}\``);
    const ci = readFileSync(path.join(REPO, '.ci', 'run'), 'utf8');
    expect(ci).toContain('dev/prerequisites.json');
    for (const tool of requiredTools()) {
      expect({ tool: tool.name, inReadme: section.includes(tool.name) }).toEqual({
        tool: tool.name,
        inReadme: true,
      });
      expect({ apt: tool.apt, inReadme: section.includes(tool.apt) }).toEqual({
        apt: tool.apt,
        inReadme: true,
      });
    }
  });
});
