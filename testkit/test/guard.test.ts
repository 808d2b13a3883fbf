import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src';

// Tests outside the kit take collector processes and polling from it, instead of writing their
// own: one place stops every process it starts and says what it waited for when it times out.
// The checks are textual and deliberately simple: they catch the usual shapes of a copy (a path
// to the collector's entry point, a deadline computed from the clock, a sleep inside a loop, a
// helper named like a poll), not every conceivable one.

/** Folders holding tests, per workspace (the kit itself is what they should use). */
const TEST_DIRS = [
  'protocol/test',
  'questdb/test',
  'nats/test',
  'collector/test',
  'sdk/test',
  'grafana-plugin/test',
  'provisioning/test',
  'bench/test',
  'dev/test',
];

/**
 * Files allowed a loop of their own, each with the reason. Nothing here may start a collector.
 */
const OWN_LOOP_ALLOWED: Readonly<Record<string, string>> = {
  // Its wait runs under jest's fake timers, which the kit's real-timer sleep would not advance.
  'grafana-plugin/test/backoff.test.ts': 'fake timers',
};

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(rel));
    else if (/\.tsx?$/.test(entry.name)) out.push(rel);
  }
  return out;
}

const FILES = TEST_DIRS.flatMap(testFiles);

/** The collector's entry point named in a path: what a hand-made spawn of it has to mention. */
const COLLECTOR_ENTRY =
  /collector\/src\/main|['"`]src\/main(\.ts)?['"`]|collector',\s*'src',\s*'main/;

const POLL_SHAPES: readonly [string, RegExp][] = [
  ['a deadline computed from the clock', /=\s*Date\.now\(\)\s*\+/],
  [
    'a poll helper of its own',
    /^(export )?(async )?function (pollUntil|until|waitUntil|waitFor|eventually)\b|^(export )?const (pollUntil|until|waitUntil|waitFor|eventually)\s*=/m,
  ],
];

/** The text of the loop starting at `start` (`for (` or `while (`): header and body. */
function loopText(text: string, start: number): string {
  // The header's parentheses, then a braced body or a single statement. Braces inside strings
  // are rare enough in tests to ignore.
  let depth = 0;
  let i = text.indexOf('(', start);
  for (; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')' && (depth -= 1) === 0) break;
  }
  const rest = text.slice(i + 1);
  const open = /^\s*\{/.exec(rest);
  if (open === null) return text.slice(start, i + 1 + (rest.indexOf(';') + 1 || rest.length));
  depth = 0;
  for (let j = open[0].length - 1; j < rest.length; j += 1) {
    if (rest[j] === '{') depth += 1;
    else if (rest[j] === '}' && (depth -= 1) === 0) return text.slice(start, i + 2 + j);
  }
  return text.slice(start);
}

/**
 * A loop whose body sleeps on a hand-made timer promise: polling by hand. A deliberate pause
 * between rounds of work uses the kit's `sleep`, which this lets through.
 */
function sleepsInLoop(text: string): boolean {
  const loop = /\b(for|while)\s*\(/g;
  for (let match = loop.exec(text); match !== null; match = loop.exec(text)) {
    if (/setTimeout\(\s*(resolve|r)\b/.test(loopText(text, match.index))) return true;
  }
  return false;
}

function pollShapes(text: string): string[] {
  const found = POLL_SHAPES.filter(([, shape]) => shape.test(text)).map(([name]) => name);
  if (sleepsInLoop(text)) found.push('a sleep inside a loop');
  return found;
}

describe('tests take collector processes and polling from the kit', () => {
  it('finds the test files of every workspace', () => {
    expect(FILES.length).toBeGreaterThan(50);
    for (const dir of TEST_DIRS) expect(FILES.some((f) => f.startsWith(`${dir}/`))).toBe(true);
  });

  it('no test file outside the kit starts a collector process itself', () => {
    const offenders = FILES.filter((file) =>
      COLLECTOR_ENTRY.test(readFileSync(path.join(REPO_ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('no test file outside the kit polls with a loop of its own', () => {
    const offenders = FILES.filter((file) => OWN_LOOP_ALLOWED[file] === undefined)
      .map((file) => ({
        file,
        shapes: pollShapes(readFileSync(path.join(REPO_ROOT, file), 'utf8')),
      }))
      .filter(({ shapes }) => shapes.length > 0);
    expect(offenders).toEqual([]);
  });

  it('every allowed exception still exists and still needs its exception', () => {
    for (const file of Object.keys(OWN_LOOP_ALLOWED)) {
      expect({
        file,
        shapes: pollShapes(readFileSync(path.join(REPO_ROOT, file), 'utf8')),
      }).toEqual({ file, shapes: expect.arrayContaining([expect.any(String)]) });
    }
  });

  it('recognises the shapes it looks for', () => {
    expect(COLLECTOR_ENTRY.test("spawn('npx', ['tsx', 'collector/src/main.ts'])")).toBe(true);
    expect(COLLECTOR_ENTRY.test("path.join(ROOT, 'collector', 'src', 'main.ts')")).toBe(true);
    expect(pollShapes('const deadline = Date.now() + 30_000;')).toEqual([
      'a deadline computed from the clock',
    ]);
    expect(pollShapes('export async function waitFor(what: string) {}')).toEqual([
      'a poll helper of its own',
    ]);
    expect(
      pollShapes(
        'for (let i = 0; i < 50; i += 1) {\n  if (ok()) break;\n  await new Promise((resolve) => setTimeout(resolve, 50));\n}',
      ),
    ).toEqual(['a sleep inside a loop']);
    expect(pollShapes("await until('ready', () => ok(), 10_000);")).toEqual([]);
    expect(pollShapes('while (busy()) {\n  await send();\n  await sleep(tickMs);\n}')).toEqual([]);
    // A pause after a loop is not inside it.
    expect(
      pollShapes('for (const c of cs) c.close();\nawait new Promise((r) => setTimeout(r, 5));'),
    ).toEqual([]);
    expect(
      pollShapes('while (!ok()) await new Promise((resolve) => setTimeout(resolve, 5));'),
    ).toEqual(['a sleep inside a loop']);
  });
});
