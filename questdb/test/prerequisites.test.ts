import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureJar, findJava, QuestDBHarnessError } from '../src';

// Without Java or Maven the harness must say exactly what to install, or how to use an existing
// QuestDB instead. The tests hide the real tools by handing the harness a narrowed environment.
describe('missing prerequisites', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-prereq-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function thrown(fn: () => unknown): QuestDBHarnessError {
    try {
      fn();
    } catch (error) {
      if (error instanceof QuestDBHarnessError) return error;
      throw error;
    }
    throw new Error('expected a QuestDBHarnessError');
  }

  it('names the Java package to install when there is no Java', () => {
    const error = thrown(() => findJava({ PATH: dir }));
    expect(error.code).toBe('JAVA_MISSING');
    expect(error.message).toMatch(/apt-get install openjdk-17-jre-headless/);
    expect(error.message).toMatch(/QUESTDB_URL=/);
  });

  it('says which Java is too old', () => {
    const javaHome = path.join(dir, 'old-jdk');
    const bin = path.join(javaHome, 'bin');
    mkdirSync(bin, { recursive: true });
    const java = path.join(bin, 'java');
    writeFileSync(java, '#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n');
    chmodSync(java, 0o755);
    const error = thrown(() => findJava({ PATH: dir, JAVA_HOME: javaHome }));
    expect(error.code).toBe('JAVA_TOO_OLD');
    expect(error.message).toContain(`${java} is Java 11`);
  });

  it('names the Maven package to install when the jar is not cached and there is no Maven', () => {
    const env = { ...process.env, MAVEN_CMD: path.join(dir, 'no-such-mvn') };
    const error = thrown(() => ensureJar(path.join(dir, 'empty-cache'), env));
    expect(error.code).toBe('MAVEN_MISSING');
    expect(error.message).toMatch(/apt-get install maven/);
    expect(error.message).toMatch(/QUESTDB_URL=/);
  });
});
