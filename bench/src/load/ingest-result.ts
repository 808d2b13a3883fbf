import type { IngestDone } from '../ipc';

/** What one sender process accumulates while it sends; becomes its `done` message. */
export class IngestTally {
  acceptedRows = 0;
  failedRows = 0;
  notSentRows = 0;
  retries = 0;
  readonly statusCounts: Record<string, number> = {};
  readonly errors: string[] = [];

  done(durationMs: number): IngestDone {
    return {
      type: 'done',
      acceptedRows: this.acceptedRows,
      failedRows: this.failedRows,
      notSentRows: this.notSentRows,
      retries: this.retries,
      durationMs,
      statusCounts: this.statusCounts,
      errors: this.errors,
    };
  }
}
