// A small, faithful stand-in for Grafana's data source proxy (pkg/api/pluginproxy/ds_proxy.go and
// pkg/util/proxyutil in grafana/grafana), the one boundary of the plugin that cannot run here.
// What it does, as Grafana does it:
// - serves /api/datasources/proxy/uid/<uid>/<path> to a signed-in user (session cookie);
// - matches plugin.json `routes` in order: method ('' or '*' or equal), then the route path as a
//   prefix of the proxied path (both cleaned relative paths);
// - clears the Cookie header (Grafana keeps only jsonData.keepCookies, never its login cookie),
//   drops Origin and Referer, sets X-Forwarded-For and its own User-Agent; the Authorization of
//   the Grafana request is Grafana's own credential and is not forwarded;
// - for a matched route: strips the route path, joins the rest to the route URL and sets each
//   route header from a Go template over {{ .URL }}, {{ .JsonData.x }}, {{ .SecureJsonData.x }}
//   (a missing secure value renders empty);
// - forwards WebSocket upgrades (Go's ReverseProxy switches protocols and copies both ways);
// - removes Set-Cookie from answers, adds Content-Security-Policy: sandbox, and turns a 401 of the
//   data source into 400 "Authentication to data source failed".
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';

export interface ProxyRoute {
  readonly path: string;
  readonly method?: string;
  readonly url?: string;
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly content: string }>;
}

export interface ProxiedDataSource {
  readonly uid: string;
  /** The data source URL, as Grafana's server reaches the collector. */
  readonly url: string;
  readonly jsonData: Record<string, unknown>;
  /** Decrypted on the server only. */
  readonly secureJsonData: Record<string, string>;
}

/** One request as the proxy sent it on to the data source. */
export interface ForwardedRequest {
  readonly method: string;
  readonly path: string;
  readonly route: string | null;
  readonly headers: IncomingHttpHeaders;
}

export interface GrafanaProxy {
  /** Grafana's origin, e.g. http://127.0.0.1:3000. */
  readonly origin: string;
  /** The Cookie header of a signed-in browser. */
  readonly sessionCookie: string;
  /** Every byte between the browser and Grafana, both ways. */
  browserTraffic(): string;
  readonly forwarded: ForwardedRequest[];
  close(): Promise<void>;
}

const PROXY_PATH = /^\/api\/datasources\/proxy\/uid\/([\w-]+)\/?/;
const HOP_BY_HOP = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

function cleanRelative(p: string): string {
  const cleaned = path.posix.normalize(`/${p}`).replace(/^\/+/, '');
  return cleaned === '.' ? '' : cleaned;
}

/** Go text/template, as far as route templates use it: {{ .URL }}, {{ .JsonData.k }}, {{ .SecureJsonData.k }}. */
export function interpolate(template: string, ds: ProxiedDataSource): string {
  return template.replace(/{{\s*([^}]*?)\s*}}/g, (_match, action: string) => {
    if (action === '.URL') return ds.url;
    const field = /^\.(JsonData|SecureJsonData)\.(\w+)$/.exec(action);
    if (field === null) throw new Error(`unsupported template action {{ ${action} }}`);
    const source = field[1] === 'JsonData' ? ds.jsonData : ds.secureJsonData;
    const value = source[field[2] ?? ''];
    return value === undefined || value === null ? '' : String(value);
  });
}

function matchRoute(
  routes: readonly ProxyRoute[],
  method: string,
  proxyPath: string,
): ProxyRoute | null {
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== method) continue;
    if (!cleanRelative(proxyPath).startsWith(cleanRelative(route.path))) continue;
    return route;
  }
  return null;
}

interface Directed {
  readonly target: URL;
  readonly headers: Record<string, string | string[]>;
  readonly route: ProxyRoute | null;
}

function direct(
  req: http.IncomingMessage,
  ds: ProxiedDataSource,
  routes: readonly ProxyRoute[],
  proxyPath: string,
  query: string,
): Directed {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.includes(name)) continue;
    headers[name] = value;
  }
  delete headers['cookie'];
  delete headers['origin'];
  delete headers['referer'];
  delete headers['host'];
  delete headers['authorization'];
  const dsAuthorization = req.headers['x-ds-authorization'];
  delete headers['x-ds-authorization'];
  if (typeof dsAuthorization === 'string') headers['authorization'] = dsAuthorization;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['user-agent'] = 'Grafana/13.2.3';

  const route = matchRoute(routes, req.method ?? 'GET', proxyPath);
  let target = new URL(ds.url);
  target.pathname = path.posix.join(target.pathname, proxyPath);
  if (route !== null) {
    const rest = cleanRelative(proxyPath).slice(cleanRelative(route.path).length);
    target = new URL(interpolate(route.url ?? '', ds));
    target.pathname = path.posix.join(target.pathname, rest);
    for (const header of route.headers ?? [])
      headers[header.name.toLowerCase()] = interpolate(header.content, ds);
  }
  target.search = query;
  return { target, headers, route };
}

function answerHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'set-cookie' || HOP_BY_HOP.includes(name)) continue;
    out[name] = value;
  }
  out['content-security-policy'] = 'sandbox';
  return out;
}

const AUTH_FAILED = 'Authentication to data source failed';

export async function startGrafanaProxy(
  dataSources: readonly ProxiedDataSource[],
  routes: readonly ProxyRoute[],
): Promise<GrafanaProxy> {
  const session = `grafana_session=${Math.random().toString(36).slice(2)}`;
  const traffic: Buffer[] = [];
  const forwarded: ForwardedRequest[] = [];
  const sockets = new Set<Socket>();

  function resolve(
    req: http.IncomingMessage,
  ):
    { ds: ProxiedDataSource; proxyPath: string; query: string } | { status: number; body: string } {
    const url = new URL(req.url ?? '/', 'http://grafana');
    if (!(req.headers.cookie ?? '').split(/;\s*/).includes(session))
      return { status: 401, body: '{"message":"Unauthorized"}' };
    const match = PROXY_PATH.exec(url.pathname);
    if (match === null) return { status: 404, body: '{"message":"Not found"}' };
    const ds = dataSources.find((d) => d.uid === match[1]);
    if (ds === undefined) return { status: 404, body: '{"message":"Unable to find datasource"}' };
    return { ds, proxyPath: url.pathname.slice(match[0].length), query: url.search };
  }

  const server = http.createServer((req, res) => {
    const resolved = resolve(req);
    if ('status' in resolved) {
      res.writeHead(resolved.status, { 'content-type': 'application/json' }).end(resolved.body);
      return;
    }
    const { target, headers, route } = direct(
      req,
      resolved.ds,
      routes,
      resolved.proxyPath,
      resolved.query,
    );
    forwarded.push({
      method: req.method ?? 'GET',
      path: target.pathname,
      route: route?.path ?? null,
      headers,
    });
    const upstream = http.request(target, { method: req.method, headers }, (answer) => {
      if (answer.statusCode === 401) {
        answer.resume();
        res.writeHead(400, { 'content-type': 'text/plain', 'content-security-policy': 'sandbox' });
        res.end(AUTH_FAILED);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answerHeaders(answer.headers));
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => client.destroy());
    const resolved = resolve(req);
    if ('status' in resolved) {
      client.end(
        `HTTP/1.1 ${resolved.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(resolved.body)}\r\nConnection: close\r\n\r\n${resolved.body}`,
      );
      return;
    }
    const { target, headers, route } = direct(
      req,
      resolved.ds,
      routes,
      resolved.proxyPath,
      resolved.query,
    );
    headers['connection'] = 'Upgrade';
    headers['upgrade'] = String(req.headers.upgrade ?? 'websocket');
    forwarded.push({
      method: req.method ?? 'GET',
      path: target.pathname,
      route: route?.path ?? null,
      headers,
    });
    const upstream = http.request(target, { method: req.method, headers });
    upstream.on('upgrade', (answer, upstreamSocket: Socket, upstreamHead: Buffer) => {
      const lines = [`HTTP/1.1 101 Switching Protocols`];
      for (const [name, value] of Object.entries(answerHeaders(answer.headers)))
        for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
      lines.push('Connection: Upgrade', `Upgrade: ${answer.headers.upgrade ?? 'websocket'}`);
      client.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upstreamHead.length > 0) client.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.on('error', () => client.destroy());
      client.on('close', () => upstreamSocket.destroy());
      upstreamSocket.on('close', () => client.destroy());
      upstreamSocket.pipe(client);
      client.pipe(upstreamSocket);
    });
    upstream.on('response', (answer) => {
      const status = answer.statusCode === 401 ? 400 : (answer.statusCode ?? 502);
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = answer.statusCode === 401 ? Buffer.from(AUTH_FAILED) : Buffer.concat(chunks);
        client.end(
          `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Refused'}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString()}`,
        );
      });
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    upstream.end();
  });

  // Every byte the browser sends and receives, to prove what it never sees.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => traffic.push(Buffer.from(chunk)));
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args) => {
      const chunk = args[0];
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) traffic.push(Buffer.from(chunk));
      return write(...args);
    };
  });

  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    sessionCookie: session,
    browserTraffic: () => Buffer.concat(traffic).toString('latin1'),
    forwarded,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
