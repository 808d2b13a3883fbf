import { rmSync } from 'node:fs';
import type { QuestDBServer } from '../server';
import { ENV_HTTP, ENV_PG } from './shared';

interface HarnessState {
  server?: QuestDBServer;
  projects: number;
}

const KEY = Symbol.for('scrapewatch.questdb.harness');

// The server started by global-setup is stopped and its temporary root removed after the last
// project; a server the user pointed at is left alone.
export default async function globalTeardown(): Promise<void> {
  const scope = globalThis as unknown as Record<symbol, HarnessState | undefined>;
  const state = scope[KEY];
  if (!state) return;
  state.projects -= 1;
  if (state.projects > 0 || !state.server) return;
  const { server } = state;
  state.server = undefined;
  await server.stop();
  rmSync(server.root, { recursive: true, force: true });
  delete process.env[ENV_HTTP];
  delete process.env[ENV_PG];
}
