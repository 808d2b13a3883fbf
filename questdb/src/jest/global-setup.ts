import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isQuestDBUp, startQuestDB, type QuestDBServer } from '../server';
import { defaultPgUrl, ENV_HTTP, ENV_PG } from './shared';

interface HarnessState {
  server?: QuestDBServer;
  projects: number;
}

const KEY = Symbol.for('scrapewatch.questdb.harness');

// Jest runs a project's global setup in the parent process, once per project: the first one
// starts the shared server and publishes it through the environment, which the test workers
// inherit; later projects find it there.
export default async function globalSetup(): Promise<void> {
  const scope = globalThis as unknown as Record<symbol, HarnessState | undefined>;
  const state = (scope[KEY] ??= { projects: 0 });
  state.projects += 1;
  const existing = process.env[ENV_HTTP];
  if (existing) {
    process.env[ENV_PG] ??= defaultPgUrl(existing);
    if (!state.server && !(await isQuestDBUp(existing, 5_000))) {
      throw new Error(`${ENV_HTTP}=${existing} does not answer SELECT 1`);
    }
    return;
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-questdb-'));
  state.server = await startQuestDB({ root, heap: '768m', fastStart: true });
  process.env[ENV_HTTP] = state.server.httpUrl;
  process.env[ENV_PG] = state.server.pgUrl;
}
