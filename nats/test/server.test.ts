import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { isNatsUp, startNats, type NatsServer } from '../src';

describe('nats-server harness', () => {
  let root: string;
  let server: NatsServer | undefined;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-nats-test-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  it('starts JetStream on free ports and keeps the stream across a restart on the same port', async () => {
    server = await startNats({ root });
    const monitorUrl = `http://${server.host}:${server.monitorPort}`;
    expect(await isNatsUp(monitorUrl)).toBe(true);

    let nc = await connect({ servers: server.url });
    let jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
    await jsm.jetstream().publish('harness.a', 'one');
    await nc.close();

    const { port } = server;
    await server.stop();
    expect(await isNatsUp(monitorUrl)).toBe(false);
    server = await startNats({ root, port });
    expect(server.port).toBe(port);

    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('HARNESS');
    expect(info.state.messages).toBe(1);
    await nc.close();
  });
});
