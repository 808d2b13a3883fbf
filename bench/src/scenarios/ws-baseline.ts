import type { BroadcastServerIn, BroadcastServerOut } from '../ipc';
import { forkWorker } from '../processes';
import type { FanoutTarget } from './fanout';

/** Starts the bare `ws` broadcast server in its own process; `stop()` ends it. */
export async function startWsBaseline(): Promise<{
  target: FanoutTarget;
  stop: () => Promise<void>;
}> {
  const server = forkWorker<BroadcastServerIn, BroadcastServerOut>('ws-broadcast-server');
  server.send({ type: 'listen' });
  try {
    const { port } = await server.next('listening', 60_000);
    return {
      target: {
        name: 'ws baseline',
        streamUrl: `ws://127.0.0.1:${port}/v1/stream`,
        publishUrl: `http://127.0.0.1:${port}/publish`,
        pid: server.pid,
      },
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
