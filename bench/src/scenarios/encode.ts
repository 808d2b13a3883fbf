import { createBuffer, SenderOptions, type SenderBuffer } from '@questdb/nodejs-client';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import { encodeRows, ILP_PROTOCOL_VERSION, writeRows } from '@scrapewatch/collector';
import { navigationEvent } from '../events';

/**
 * ILP row encoding on one core, in this process: the collector's encoder (`encodeRows`) against
 * the buffer of `@questdb/nodejs-client` (what a Sender writes rows into), the same events through
 * the same row mapping, one batch per call as the collector's writer encodes them. No QuestDB, no
 * network: only the CPU cost of turning events into ILP bytes.
 */

export interface EncodeSpec {
  /** Distinct events encoded, in batches of `batchSize`. */
  readonly rows: number;
  readonly batchSize: number;
  /** Measured time per side per round. */
  readonly roundMs: number;
  readonly rounds: number;
}

export interface EncodeResult {
  readonly rows: number;
  readonly batchSize: number;
  /** Median over rounds. */
  readonly collectorRowsPerSecond: number;
  readonly clientRowsPerSecond: number;
  /** collector / client. */
  readonly ratio: number;
  readonly bytesPerRow: number;
  /** Both encoders produced the same bytes for every batch. */
  readonly identicalBytes: boolean;
}

export const DEFAULT_ENCODE_SPEC: EncodeSpec = {
  rows: 20_000,
  batchSize: 500,
  roundMs: 700,
  rounds: 3,
};

type Encode = (batch: readonly AcceptedEvent[], receivedAtMs: number) => Buffer;

function clientEncoder(): Encode {
  const buffer: SenderBuffer = createBuffer(
    new SenderOptions(`http::addr=127.0.0.1:9;protocol_version=${ILP_PROTOCOL_VERSION}`),
  );
  return (batch, receivedAtMs) => {
    try {
      writeRows(buffer, batch, receivedAtMs);
      return buffer.toBufferNew() ?? Buffer.alloc(0);
    } finally {
      buffer.reset();
    }
  };
}

/** Rows per second over whole passes of `batches` for at least `durationMs`. */
function measure(encode: Encode, batches: readonly AcceptedEvent[][], durationMs: number): number {
  let rows = 0;
  const started = performance.now();
  let elapsedMs = 0;
  do {
    for (const batch of batches) {
      encode(batch, 1_702_214_402_000);
      rows += batch.length;
    }
    elapsedMs = performance.now() - started;
  } while (elapsedMs < durationMs);
  return rows / (elapsedMs / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function runEncode(spec: EncodeSpec): EncodeResult {
  const recordedAt = 1_702_214_400_000;
  const events: AcceptedEvent[] = Array.from({ length: spec.rows }, (_, sequence) =>
    navigationEvent({
      scraper: `bench-encode-${sequence % 8}`,
      sequence,
      recordedAt: recordedAt + sequence,
    }),
  );
  const batches: AcceptedEvent[][] = [];
  for (let i = 0; i < events.length; i += spec.batchSize)
    batches.push(events.slice(i, i + spec.batchSize));
  const client = clientEncoder();
  let identicalBytes = true;
  let bytes = 0;
  for (const batch of batches) {
    const ours = encodeRows(batch, 0);
    identicalBytes &&= ours.equals(client(batch, 0));
    bytes += ours.length;
  }
  const collectorRuns: number[] = [];
  const clientRuns: number[] = [];
  // Interleaved, the order flipping every round, so neither side always runs on a warmer machine.
  for (let round = 0; round < spec.rounds; round++) {
    const runCollector = (): void => {
      collectorRuns.push(measure(encodeRows, batches, spec.roundMs));
    };
    const runClient = (): void => {
      clientRuns.push(measure(client, batches, spec.roundMs));
    };
    if (round % 2 === 0) {
      runCollector();
      runClient();
    } else {
      runClient();
      runCollector();
    }
  }
  const collectorRowsPerSecond = median(collectorRuns);
  const clientRowsPerSecond = median(clientRuns);
  return {
    rows: spec.rows,
    batchSize: spec.batchSize,
    collectorRowsPerSecond,
    clientRowsPerSecond,
    ratio: collectorRowsPerSecond / clientRowsPerSecond,
    bytesPerRow: bytes / spec.rows,
    identicalBytes,
  };
}
