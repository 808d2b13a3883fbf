import http from 'node:http';
import https from 'node:https';
import { createTransport, SenderOptions, type SenderTransport } from '@questdb/nodejs-client';

/**
 * The ILP protocol version of every batch this collector produces, also of the bytes kept in the
 * spool. Version 1 (text) is read by every QuestDB, so a spool written today replays on any server.
 */
export const ILP_PROTOCOL_VERSION = 1;

/** Why an ILP flush failed: `unavailable` may succeed later (spool it); `rejected` never will. */
export type IlpFailure = 'unavailable' | 'rejected';

export class IlpError extends Error {
  constructor(
    readonly failure: IlpFailure,
    message: string,
    readonly statusCode: number | undefined,
  ) {
    super(message);
    this.name = 'IlpError';
  }
}

export interface QuestDBClient {
  /**
   * One ILP-over-HTTP request, one QuestDB transaction, sent by the client's transport; `bytes`
   * are rows of protocol version {@link ILP_PROTOCOL_VERSION} (see ilp.ts). Rejects with
   * {@link IlpError}.
   */
  sendIlp(bytes: Buffer): Promise<void>;
  /** A statement through the REST `/exec` endpoint; rejects with the server's message. */
  exec(sql: string): Promise<ExecResult>;
  /** True when QuestDB answers `SELECT 1` within `timeoutMs`. */
  ping(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export interface ExecResult {
  readonly columns?: ReadonlyArray<{ name: string; type: string }>;
  readonly dataset?: ReadonlyArray<ReadonlyArray<unknown>>;
  readonly ddl?: string;
}

function senderConfig(httpUrl: string, timeoutMs: number): string {
  const url = new URL(httpUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port || (protocol === 'https' ? '443' : '9000');
  const parts = [
    `${protocol}::addr=${url.hostname}:${port}`,
    `protocol_version=${ILP_PROTOCOL_VERSION}`,
    // The stdlib transport fails at once on a refused connection (the undici one retries until
    // the timeout): a write then reaches the spool without waiting.
    'stdlib_http=on',
    `request_timeout=${Math.max(1, Math.round(timeoutMs))}`,
    // Retries are ours: a failed batch goes to the spool, the replayer sends it again.
    'retry_timeout=0',
    'auto_flush=off',
  ];
  if (url.username) parts.push(`username=${decodeURIComponent(url.username)}`);
  if (url.password) parts.push(`password=${decodeURIComponent(url.password)}`);
  return `${parts.join(';')};`;
}

const STATUS_PATTERN = /statusCode=(\d{3})/;

function classify(error: unknown): IlpError {
  const message = error instanceof Error ? error.message : String(error);
  const match = STATUS_PATTERN.exec(message);
  const statusCode = match?.[1] === undefined ? undefined : Number(match[1]);
  // 4xx: QuestDB parsed the request and refused it (bad row, type clash); sending it again
  // changes nothing. Everything else (refused connection, timeout, 5xx) is "try later".
  const rejected = statusCode !== undefined && statusCode >= 400 && statusCode < 500;
  return new IlpError(rejected ? 'rejected' : 'unavailable', message, statusCode);
}

export function createQuestDBClient(httpUrl: string, timeoutMs: number): QuestDBClient {
  const base = new URL(httpUrl);
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 8 })
    : new http.Agent({ keepAlive: true, maxSockets: 8 });
  const options = new SenderOptions(senderConfig(httpUrl, timeoutMs), {
    agent,
    log: () => undefined,
  });
  const transport: SenderTransport = createTransport(options);
  const authorization =
    base.username || base.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`
      : undefined;
  const restBase = `${base.protocol}//${base.host}`;

  async function exec(sql: string, ms = timeoutMs): Promise<ExecResult> {
    const res = await fetch(`${restBase}/exec?query=${encodeURIComponent(sql)}`, {
      headers: authorization ? { authorization } : {},
      signal: AbortSignal.timeout(ms),
    });
    const text = await res.text();
    let body: (ExecResult & { error?: string }) | undefined;
    try {
      body = JSON.parse(text) as ExecResult & { error?: string };
    } catch {
      body = undefined;
    }
    if (!res.ok || body === undefined || body.error !== undefined) {
      throw new Error(
        `QuestDB /exec failed (HTTP ${res.status}): ${body?.error ?? text.slice(0, 300)}`,
      );
    }
    return body;
  }

  return {
    async sendIlp(bytes) {
      try {
        await transport.send(bytes);
      } catch (error) {
        throw classify(error);
      }
    },
    exec: (sql) => exec(sql),
    async ping(ms) {
      try {
        await exec('SELECT 1', ms);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      agent.destroy();
    },
  };
}
