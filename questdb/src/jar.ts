import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { QuestDBHarnessError, USE_EXISTING_HINT } from './errors';
import { MIN_JAVA_MAJOR, QUESTDB_ARTIFACT, QUESTDB_VERSION } from './version';

/** Where the jar is cached: outside git (see .gitignore), shared by every run on this checkout. */
export const DEFAULT_CACHE_DIR = path.resolve(__dirname, '..', '.cache');

export interface JavaRuntime {
  readonly javaBin: string;
  readonly major: number;
}

function javaCandidates(env: NodeJS.ProcessEnv): string[] {
  const fromEnv = env['JAVA_HOME'];
  const list = fromEnv ? [path.join(fromEnv, 'bin', 'java')] : [];
  list.push('java');
  return list;
}

function javaMajor(javaBin: string, env: NodeJS.ProcessEnv): number | undefined {
  const probe = spawnSync(javaBin, ['-version'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (!match) return undefined;
  const first = Number(match[1]);
  // Java 8 and older report "1.8.0_x".
  return first === 1 ? Number(match[2]) : first;
}

/** Finds a Java runtime new enough for the pinned QuestDB, or says exactly what to install. */
export function findJava(env: NodeJS.ProcessEnv = process.env): JavaRuntime {
  let tooOld: { javaBin: string; major: number } | undefined;
  for (const javaBin of javaCandidates(env)) {
    const major = javaMajor(javaBin, env);
    if (major === undefined) continue;
    if (major >= MIN_JAVA_MAJOR) return { javaBin, major };
    tooOld ??= { javaBin, major };
  }
  if (tooOld) {
    throw new QuestDBHarnessError(
      'JAVA_TOO_OLD',
      `QuestDB ${QUESTDB_VERSION} needs Java ${MIN_JAVA_MAJOR} or newer; ${tooOld.javaBin} is Java ${tooOld.major}. ` +
        `Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME. ${USE_EXISTING_HINT}`,
    );
  }
  throw new QuestDBHarnessError(
    'JAVA_MISSING',
    `QuestDB ${QUESTDB_VERSION} needs Java ${MIN_JAVA_MAJOR} or newer and none was found on PATH or in JAVA_HOME. ` +
      `Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless). ${USE_EXISTING_HINT}`,
  );
}

/**
 * Returns the path of the pinned QuestDB jar, fetching it from Maven Central once with Maven
 * (`mvn dependency:copy`) when it is not cached yet.
 */
export function ensureJar(
  cacheDir: string = DEFAULT_CACHE_DIR,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const jarPath = path.join(cacheDir, `questdb-${QUESTDB_VERSION}.jar`);
  if (existsSync(jarPath)) return jarPath;
  mkdirSync(cacheDir, { recursive: true });
  const mvn = env['MAVEN_CMD'] ?? 'mvn';
  const probe = spawnSync(mvn, ['-v'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    throw new QuestDBHarnessError(
      'MAVEN_MISSING',
      `The QuestDB jar (${QUESTDB_ARTIFACT}) is fetched from Maven Central with Maven, which was not found. ` +
        `Install it (Debian/Ubuntu: apt-get install maven), or put the jar at ${jarPath} yourself. ${USE_EXISTING_HINT}`,
    );
  }
  const staging = path.join(cacheDir, `staging-${process.pid}`);
  const fetch = spawnSync(
    mvn,
    [
      '-q',
      '-B',
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
      `-Dartifact=${QUESTDB_ARTIFACT}:jar`,
      `-DoutputDirectory=${staging}`,
    ],
    { encoding: 'utf8', cwd: cacheDir, env },
  );
  const staged = path.join(staging, `questdb-${QUESTDB_VERSION}.jar`);
  try {
    if (fetch.status !== 0 || !existsSync(staged)) {
      throw new QuestDBHarnessError(
        'JAR_FETCH_FAILED',
        `Maven could not fetch ${QUESTDB_ARTIFACT} from Maven Central:\n${fetch.stdout}${fetch.stderr}\n${USE_EXISTING_HINT}`,
      );
    }
    // Rename is atomic, so concurrent fetchers never see a half-written jar.
    renameSync(staged, jarPath);
    return jarPath;
  } finally {
    // The staging folder is this process's own (its pid in the name): nothing else uses it.
    rmSync(staging, { recursive: true, force: true });
  }
}
