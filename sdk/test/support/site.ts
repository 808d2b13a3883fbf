import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NavigablePage, NavigationResponse } from '@scrapewatch/sdk';

/**
 * A small real website for the navigation wrapper: every path is one behaviour a scraper meets.
 * `/flaky/<key>` fails with 503 twice per key, then answers 200.
 */
export interface Site {
  readonly url: string;
  close(): Promise<void>;
}

export async function startSite(): Promise<Site> {
  const flaky = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const send = (status: number, body: string) => {
      res.writeHead(status, {
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    if (path === '/ok') return send(200, '<html><body><li>a</li><li>b</li></body></html>');
    if (path.startsWith('/flaky/')) {
      const seen = (flaky.get(path) ?? 0) + 1;
      flaky.set(path, seen);
      return seen <= 2 ? send(503, 'busy') : send(200, '<html>ok at last</html>');
    }
    if (path === '/missing') return send(404, 'not found');
    if (path === '/down') return send(503, 'service unavailable');
    if (path === '/captcha') {
      return send(
        403,
        '<html><div class="g-recaptcha" data-sitekey="x"></div>Are you a robot?</html>',
      );
    }
    if (path === '/blocked') return send(403, 'Forbidden');
    if (path === '/rate-limited') {
      res.setHeader('retry-after', '30');
      return send(429, 'Too Many Requests');
    }
    if (path === '/members') {
      res.writeHead(302, { location: '/login?next=%2Fmembers' });
      return void res.end();
    }
    if (path.startsWith('/login')) {
      return send(
        200,
        '<html><head><title>Log in</title></head><body><form><input type="password"></form></body></html>',
      );
    }
    if (path === '/challenge') {
      res.setHeader('cf-mitigated', 'challenge');
      return send(403, '<html><head><title>Just a moment...</title></head></html>');
    }
    if (path === '/empty') return send(200, '');
    if (path === '/reset') return void res.socket?.destroy();
    if (path === '/slow') return; // never answers
    send(404, 'no such page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface FetchResponse extends NavigationResponse {
  headers(): Record<string, string>;
  text(): Promise<string>;
  url(): string;
}

/** A page object with Playwright's goto shape, built on fetch: honours `timeout` like goto does. */
export function fetchPage(): NavigablePage<FetchResponse> & {
  gotoCalls: number;
  lastError: unknown;
} {
  const page = {
    gotoCalls: 0,
    lastError: undefined as unknown,
    async goto(url: string, options?: { timeout?: number }): Promise<FetchResponse | null> {
      page.gotoCalls++;
      try {
        const response = await fetch(url, {
          signal: AbortSignal.timeout(options?.timeout ?? 30_000),
        });
        const body = await response.text();
        return {
          status: () => response.status,
          headers: () => Object.fromEntries(response.headers),
          text: () => Promise.resolve(body),
          url: () => response.url,
        };
      } catch (error) {
        page.lastError = error;
        throw error;
      }
    },
  };
  return page;
}
