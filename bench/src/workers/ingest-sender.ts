// A sender process of the ingest benchmark: prepares its share of the rows on `prepare`, sends
// them on `go` and reports `done` with what was durably acknowledged.
import type { IngestIn, IngestPrepare } from '../ipc';
import { prepareHttpIngest } from '../load/http-ingest';
import { prepareIlpIngest } from '../load/ilp-ingest';
import { prepareIlpLimitIngest } from '../load/ilp-limit-ingest';
import type { IngestTally } from '../load/ingest-result';
import { prepareSdkIngest } from '../load/sdk-ingest';
import { reply, runWorker } from '../worker-runtime';

function prepare(spec: IngestPrepare): () => Promise<IngestTally> {
  switch (spec.mode) {
    case 'http':
      return prepareHttpIngest(spec);
    case 'ilp':
      return prepareIlpIngest(spec);
    case 'sdk':
      return prepareSdkIngest(spec);
    case 'limit':
      return prepareIlpLimitIngest(spec);
  }
}

let run: (() => Promise<IngestTally>) | undefined;

runWorker<IngestIn>(async (message) => {
  if (message.type === 'prepare') {
    run = prepare(message);
    reply({ type: 'prepared' });
    return;
  }
  if (!run) throw new Error('"go" before "prepare"');
  const startedAt = performance.now();
  const result = await run();
  reply(result.done(performance.now() - startedAt));
  run = undefined;
});
