import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  readonly name: string;
  readonly location: string;
  /** Share of the busy samples (idle left out) spent in the function itself. */
  readonly selfShare: number;
}

/**
 * The main-thread `.cpuprofile` files `--cpu-prof` wrote into `dir` (named
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread, the others are
 * loader workers that only compile modules at start-up).
 */
export function profileFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile') && name.split('.')[4] === '0')
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** Functions by self time (busy samples), merged by name and location: where the collector's CPU went. */
export function hotFunctions(file: string, top = 15): HotFunction[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const selfHits = new Map<string, { name: string; location: string; hits: number }>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const location = url
      ? `${url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|collector|protocol)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName}@${location}`;
    const entry = selfHits.get(key) ?? { name: functionName || '(anonymous)', location, hits: 0 };
    entry.hits += hits;
    selfHits.set(key, entry);
  }
  return [...selfHits.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map((entry) => ({
      name: entry.name,
      location: entry.location,
      selfShare: total > 0 ? entry.hits / total : 0,
    }));
}
