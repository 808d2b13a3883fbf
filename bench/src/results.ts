import type { CoverageResult } from './scenarios/coverage';
import type { ClassifyResult } from './scenarios/classify';
import type { EncodeResult } from './scenarios/encode';
import type { FanoutResult } from './scenarios/fanout';
import type { IngestRun } from './scenarios/ingest';
import type { MemoryResult } from './scenarios/memory';
import type { VolumeResult } from './scenarios/volume';

/** What `bench/results.json` holds: every figure printed, plus what it was measured on. */
export interface BenchResults {
  readonly startedAt: string;
  finishedAt?: string;
  readonly machine: MachineInfo;
  readonly options: Record<string, unknown>;
  collector: { available: boolean; reason?: string; profileDir?: string; logPath?: string };
  encode?: EncodeResult | Unavailable;
  coverage?: CoverageResult | Unavailable;
  classify?: ClassifyResult | Unavailable;
  ingest?: IngestResults;
  fanout?: FanoutResults;
  dashboard?: DashboardResults;
  memory?: MemoryResult | Unavailable;
  slow?: SlowResults;
  volume?: VolumeResult | Unavailable;
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
  /** QuestDB's own limit: pre-encoded ILP straight to /write, same batch size and concurrency. */
  readonly limitEventsPerSecond: number | undefined;
  readonly collectorEventsPerSecond: number | Unavailable;
  readonly sdkEventsPerSecond: number | Unavailable;
  /** Median over rounds of collector ÷ raw ILP client, each round's two runs paired. */
  readonly collectorToRaw: number | undefined;
  /** Median over rounds of collector ÷ QuestDB's limit, each round's two runs paired. */
  readonly collectorToLimit: number | undefined;
  /** Median over rounds of SDK ÷ raw ILP client, each round's two runs paired. */
  readonly sdkToRaw: number | undefined;
  /** Rows found in QuestDB per scraper after the runs (accepted rows must all be there, once). */
  stored?: Record<string, number>;
}

export interface FanoutResults {
  /** The round with the median p99 of each side. */
  readonly baseline: FanoutResult | Unavailable;
  readonly collector: FanoutResult | Unavailable;
  /** The peer baseline, with minimal raw-WebSocket subscribers and with the official client. */
  readonly centrifugoRaw?: FanoutResult | Unavailable;
  readonly centrifugoOfficial?: FanoutResult | Unavailable;
  readonly rounds: {
    readonly baseline: ReadonlyArray<FanoutResult | Unavailable>;
    readonly collector: ReadonlyArray<FanoutResult | Unavailable>;
  };
}

/** One side of the dashboard scenario (the collector, bare ws, Centrifugo with either client). */
export interface DashboardSide {
  readonly label: string;
  /** The median-p99 round per rate (events/s, as a string key). */
  readonly byRate: Record<string, FanoutResult | Unavailable>;
  readonly rounds: Record<string, Array<FanoutResult | Unavailable>>;
  /** Every rate tried by the search (and the dashboard rates), with whether p99 <= bound, all delivered, not saturated. */
  readonly tried: Array<{ rate: number; p99Ms: number; completeness: number; ok: boolean }>;
  /** The highest rate that passed; undefined when none did. */
  highest?: { rate: number; deliveriesPerSecond: number; p99Ms: number };
}

export interface DashboardResults {
  readonly subscribers: number;
  readonly p99BoundMs: number;
  readonly sides: DashboardSide[];
  readonly centrifugo: { available: boolean; reason?: string };
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
