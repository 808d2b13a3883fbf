import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the double received, decoded from NDJSON. */
export interface ReceivedRequest {
  readonly atMs: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly events: Record<string, unknown>[];
}

/** How the double answers one request. */
export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  /** Never answers (until close). */
  | 'hang'
  /** Destroys the connection without an answer. */
  | 'reset';

export interface IngestDouble {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Replies for the next requests, in order; afterwards the default 202 (or `fallback`). */
  script(...replies: Reply[]): void;
  /** Decides the reply per request once the script is used up. */
  fallback(decide: (request: ReceivedRequest) => Reply): void;
  /** Answers every hanging request with 202. */
  releaseHanging(): void;
  /** Every event received, in arrival order. */
  events(): Record<string, unknown>[];
  close(): Promise<void>;
}

function accepted(request: ReceivedRequest): Reply {
  return { status: 202, body: { accepted: request.events.length, durability: 'committed' } };
}

/**
 * A small real HTTP server that answers POST /v1/metrics the way the collector does: 202
 * {accepted, durability}, coded 4xx bodies, 429/503 with Retry-After, or hangs and resets.
 */
export async function startIngestDouble(): Promise<IngestDouble> {
  const requests: ReceivedRequest[] = [];
  const scripted: Reply[] = [];
  const hanging: { request: ReceivedRequest; res: http.ServerResponse }[] = [];
  let decide: (request: ReceivedRequest) => Reply = accepted;

  function answer(request: ReceivedRequest, res: http.ServerResponse, reply: Reply): void {
    if (reply === 'hang') {
      hanging.push({ request, res });
      return;
    }
    if (reply === 'reset') {
      res.socket?.destroy();
      return;
    }
    const body = JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const events = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const request: ReceivedRequest = { atMs: Date.now(), headers: req.headers, events };
      requests.push(request);
      answer(request, res, scripted.shift() ?? decide(request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => scripted.push(...replies),
    fallback: (next) => {
      decide = next;
    },
    releaseHanging: () => {
      for (const { request, res } of hanging.splice(0)) answer(request, res, accepted(request));
    },
    events: () => requests.flatMap((request) => request.events),
    close: async () => {
      for (const { res } of hanging.splice(0)) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
