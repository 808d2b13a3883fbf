import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createCollector, loadConfig, type Collector } from '@scrapewatch/collector';
import { pollUntil } from './poll';

export interface InProcessCollector {
  readonly collector: Collector;
  readonly url: string;
  readonly wsUrl: string;
  /** Closes the collector and removes the spool directory the kit made; idempotent. */
  close(): Promise<void>;
}

/**
 * A real collector inside the test's own process (createCollector, as main.ts wires it), on
 * 127.0.0.1 and a port of the kernel's choosing, with its own spool directory unless `env`
 * names one. `env` is its configuration (SCRAPEWATCH_* variables, parsed by loadConfig); a
 * silent logger unless one is given. Resolves once GET /readyz answers 200.
 */
export async function startInProcessCollector(
  env: Readonly<Record<string, string>>,
  options: { readonly logger?: pino.Logger; readonly readyTimeoutMs?: number } = {},
): Promise<InProcessCollector> {
  const ownSpool =
    env['SCRAPEWATCH_SPOOL_DIR'] === undefined
      ? mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-collector-test-'))
      : undefined;
  const config = loadConfig({
    SCRAPEWATCH_HOST: '127.0.0.1',
    SCRAPEWATCH_PORT: '0',
    ...(ownSpool === undefined ? {} : { SCRAPEWATCH_SPOOL_DIR: ownSpool }),
    ...env,
  });
  const collector = createCollector(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await collector.close();
      } finally {
        if (ownSpool !== undefined) rmSync(ownSpool, { recursive: true, force: true });
      }
    })();
    return closing;
  };
  try {
    const { url } = await collector.start();
    await pollUntil(
      `GET ${url}/readyz to answer 200`,
      async () => (await fetch(`${url}/readyz`)).status,
      (status) => status === 200,
      options.readyTimeoutMs ?? 60_000,
    );
    return { collector, url, wsUrl: url.replace(/^http/, 'ws'), close };
  } catch (error) {
    await close();
    throw error;
  }
}
