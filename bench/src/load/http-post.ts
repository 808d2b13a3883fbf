import http from 'node:http';

export interface PostResult {
  readonly status: number;
  readonly body: string;
  /** Seconds from Retry-After, when the server sent one. */
  readonly retryAfterSeconds: number | undefined;
}

/** One keep-alive agent per process: connections are reused across requests, as a scraper's would be. */
export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** POSTs a pre-serialised JSON body and reads the whole answer (a 202 body is small). */
export function postJson(
  agent: http.Agent,
  url: URL,
  body: Buffer,
  timeoutMs = 60_000,
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        method: 'POST',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const retryAfter = Number(response.headers['retry-after']);
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
