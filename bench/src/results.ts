import type { CoverageResult } from './scenarios/coverage';
import type { EncodeResult } from './scenarios/encode';
import type { FanoutResult } from './scenarios/fanout';
import type { IngestRun } from './scenarios/ingest';
import type { MemoryResult } from './scenarios/memory';

/** What `bench/results.json` holds: every figure printed, plus what it was measured on. */
export interface BenchResults {
  readonly startedAt: string;
  finishedAt?: string;
  readonly machine: MachineInfo;
  readonly options: Record<string, unknown>;
  collector: { available: boolean; reason?: string; profileDir?: string; logPath?: string };
  encode?: EncodeResult | Unavailable;
  coverage?: CoverageResult | Unavailable;
  ingest?: IngestResults;
  fanout?: FanoutResults;
  memory?: MemoryResult | Unavailable;
  slow?: SlowResults;
  targets: TargetCheck[];
  readonly notes: string[];
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryGiB: number;
  readonly node: string;
  readonly openFilesLimit: string;
  readonly loadAverageAtStart: readonly number[];
  loadAverageAtEnd?: readonly number[];
}

export interface Unavailable {
  readonly unavailable: string;
}

export function isUnavailable(value: unknown): value is Unavailable {
  return typeof value === 'object' && value !== null && 'unavailable' in value;
}

export interface IngestResults {
  readonly runs: IngestRun[];
  /** Median over rounds, events/s; undefined when the variant did not run. */
  readonly rawEventsPerSecond: number | undefined;
  readonly collectorEventsPerSecond: number | Unavailable;
  readonly sdkEventsPerSecond: number | Unavailable;
  /** Rows found in QuestDB per scraper after the runs (accepted rows must all be there, once). */
  stored?: Record<string, number>;
}

export interface FanoutResults {
  /** The round with the median p99 of each side. */
  readonly baseline: FanoutResult | Unavailable;
  readonly collector: FanoutResult | Unavailable;
  readonly rounds: {
    readonly baseline: ReadonlyArray<FanoutResult | Unavailable>;
    readonly collector: ReadonlyArray<FanoutResult | Unavailable>;
  };
}

export interface SlowResults {
  readonly without: FanoutResult | Unavailable;
  readonly with: FanoutResult | Unavailable;
}

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly status: 'met' | 'missed' | 'not measured';
}
