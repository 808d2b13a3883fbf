import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@scrapewatch/questdb';
import type { FanoutTarget } from './fanout';

/**
 * The peer baseline: Centrifugo, the real-time messaging server whose library (centrifuge) Grafana
 * Live is built on. Built once with `go install` into bench/.cache (git-ignored), started on
 * loopback with the least configuration that lets the bench's clients subscribe anonymously and
 * the publisher use the HTTP API; everything else (write delay, frame caps, buffers) its defaults.
 */
export const CENTRIFUGO_MODULE = 'github.com/centrifugal/centrifugo/v6';
export const CENTRIFUGO_VERSION = 'v6.9.1';

export type CentrifugoBinary =
  | { readonly available: true; readonly path: string }
  | { readonly available: false; readonly reason: string };

/** The binary in `cacheDir`, built there first when missing and Go is installed. */
export function ensureCentrifugo(
  cacheDir: string,
  log: (message: string) => void,
): CentrifugoBinary {
  const binDir = path.join(cacheDir, `centrifugo-${CENTRIFUGO_VERSION}`);
  const binary = path.join(binDir, 'centrifugo');
  if (existsSync(binary)) return { available: true, path: binary };
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error !== undefined || go.status !== 0) {
    return {
      available: false,
      reason:
        'Go is not installed (needed to build Centrifugo with go install): its baseline is skipped',
    };
  }
  mkdirSync(binDir, { recursive: true });
  log(`building Centrifugo ${CENTRIFUGO_VERSION} with go install into ${binDir} (once; minutes)`);
  const built = spawnSync('go', ['install', `${CENTRIFUGO_MODULE}@${CENTRIFUGO_VERSION}`], {
    env: { ...process.env, GOBIN: binDir },
    encoding: 'utf8',
    timeout: 20 * 60_000,
  });
  if (built.status !== 0 || !existsSync(binary)) {
    const detail = (built.stderr || built.error?.message || '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    return {
      available: false,
      reason: `go install ${CENTRIFUGO_MODULE}@${CENTRIFUGO_VERSION} failed: ${detail}`,
    };
  }
  return { available: true, path: binary };
}

/** Centrifugo v6 configuration: anonymous connect and subscribe, the HTTP API without a key, loopback only. */
export function centrifugoConfig(port: number): Record<string, unknown> {
  return {
    http_server: { address: '127.0.0.1', port },
    log: { level: 'error' },
    usage_stats: { disabled: true },
    http_api: { insecure: true },
    health: { enabled: true },
    client: {
      allow_anonymous_connect_without_token: true,
      allowed_origins: ['*'],
      channel_limit: 1_024,
    },
    channel: {
      without_namespace: { allow_subscribe_for_anonymous: true, allow_subscribe_for_client: true },
    },
  };
}

export interface CentrifugoServer {
  /** Targets for the two kinds of subscriber, same server. */
  readonly raw: FanoutTarget;
  readonly official: FanoutTarget;
  stop(): Promise<void>;
}

export async function startCentrifugo(binary: string, workDir: string): Promise<CentrifugoServer> {
  const port = await freePort();
  const configPath = path.join(workDir, `centrifugo-${port}.json`);
  writeFileSync(configPath, JSON.stringify(centrifugoConfig(port)));
  const child: ChildProcess = spawn(binary, ['--config', configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`centrifugo exited with ${child.exitCode}`);
    const healthy = await fetch(`http://127.0.0.1:${port}/health`)
      .then((res) => res.ok)
      .catch(() => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('centrifugo did not answer /health within 30 s');
    }
    await sleep(100);
  }
  const base = {
    streamUrl: `ws://127.0.0.1:${port}/connection/websocket`,
    publishUrl: `http://127.0.0.1:${port}/api/batch`,
    pid: child.pid,
    publishFormat: 'centrifugo' as const,
  };
  return {
    raw: { ...base, name: 'centrifugo', subscriberProtocol: 'centrifugo-raw' },
    official: { ...base, name: 'centrifugo', subscriberProtocol: 'centrifugo-js' },
    stop,
  };
}
