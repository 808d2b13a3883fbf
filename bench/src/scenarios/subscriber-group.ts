import { LatencyHistogram } from '../histogram';
import type { SubscriberIn, SubscriberOut, SubscriberProtocol } from '../ipc';
import { allNext, forkWorker, type WorkerHandle } from '../processes';

export interface SubscriberGroupSpec {
  readonly url: string;
  readonly clients: number;
  /** Client g (global index) subscribes to channels[g % channels.length]. */
  readonly channels: readonly string[];
  readonly firstIndex: number;
  readonly pauseEvery: number;
  readonly clientsPerProcess: number;
  readonly connectConcurrency: number;
  readonly protocol: SubscriberProtocol;
  /** Every event channel, for servers without a wildcard. */
  readonly allChannels: readonly string[];
}

export interface GroupConnected {
  readonly subscribed: number;
  readonly paused: number;
  readonly failed: number;
  readonly errors: readonly string[];
  readonly durationMs: number;
}

export interface GroupReport {
  readonly latency: LatencyHistogram;
  readonly receivedInWindow: number;
  readonly messages: number;
  readonly windowMessages: number;
  readonly windowBytes: number;
  readonly streamErrors: Record<string, number>;
  readonly open: number;
}

type Subscriber = WorkerHandle<SubscriberIn, SubscriberOut>;

/** Stream clients spread over several processes (file-descriptor limits, CPU): one handle for all. */
export class SubscriberGroup {
  private constructor(
    private readonly workers: readonly Subscriber[],
    readonly connected: GroupConnected,
  ) {}

  static async open(spec: SubscriberGroupSpec): Promise<SubscriberGroup> {
    // At least two processes (when there are two clients), so one process's CPU is not the limit.
    const processes = Math.min(
      spec.clients,
      Math.max(2, Math.ceil(spec.clients / spec.clientsPerProcess)),
    );
    const workers: Subscriber[] = [];
    const startedAt = performance.now();
    let firstIndex = spec.firstIndex;
    for (let i = 0; i < processes; i++) {
      const clients = Math.floor(spec.clients / processes) + (i < spec.clients % processes ? 1 : 0);
      const worker = forkWorker<SubscriberIn, SubscriberOut>('subscriber', [String(i)]);
      workers.push(worker);
      worker.send({
        type: 'connect',
        url: spec.url,
        firstIndex,
        clients,
        channels: spec.channels,
        pauseEvery: spec.pauseEvery,
        connectConcurrency: spec.connectConcurrency,
        connectTimeoutMs: 60_000,
        protocol: spec.protocol,
        allChannels: spec.allChannels,
      });
      firstIndex += clients;
    }
    let answers;
    try {
      answers = await allNext(workers, 'connected', 300_000);
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.stop()));
      throw error;
    }
    const errors: string[] = [];
    for (const answer of answers)
      for (const error of answer.errors) if (!errors.includes(error)) errors.push(error);
    return new SubscriberGroup(workers, {
      subscribed: answers.reduce((sum, answer) => sum + answer.subscribed, 0),
      paused: answers.reduce((sum, answer) => sum + answer.paused, 0),
      failed: answers.reduce((sum, answer) => sum + answer.failed, 0),
      errors: errors.slice(0, 5),
      durationMs: performance.now() - startedAt,
    });
  }

  /** The subscriber processes, for their CPU use. */
  get pids(): Array<number | undefined> {
    return this.workers.map((worker) => worker.pid);
  }

  window(fromMs: number, toMs: number): void {
    for (const worker of this.workers) worker.send({ type: 'window', fromMs, toMs });
  }

  async report(): Promise<GroupReport> {
    for (const worker of this.workers) worker.send({ type: 'report' });
    const answers = await allNext(this.workers, 'report', 60_000);
    const latency = new LatencyHistogram();
    const streamErrors: Record<string, number> = {};
    for (const answer of answers) {
      latency.merge(answer.latency);
      for (const [code, count] of Object.entries(answer.streamErrors))
        streamErrors[code] = (streamErrors[code] ?? 0) + count;
    }
    return {
      latency,
      receivedInWindow: answers.reduce((sum, answer) => sum + answer.receivedInWindow, 0),
      messages: answers.reduce((sum, answer) => sum + answer.messages, 0),
      windowMessages: answers.reduce((sum, answer) => sum + answer.windowMessages, 0),
      windowBytes: answers.reduce((sum, answer) => sum + answer.windowBytes, 0),
      streamErrors,
      open: answers.reduce((sum, answer) => sum + answer.open, 0),
    };
  }

  /** Clients still open, and how the others were closed. */
  async status(): Promise<{ open: number; closeCodes: Record<string, number> }> {
    for (const worker of this.workers) worker.send({ type: 'status' });
    const answers = await allNext(this.workers, 'status', 60_000);
    const closeCodes: Record<string, number> = {};
    for (const answer of answers) {
      for (const [code, count] of Object.entries(answer.closeCodes))
        closeCodes[code] = (closeCodes[code] ?? 0) + count;
    }
    return { open: answers.reduce((sum, answer) => sum + answer.open, 0), closeCodes };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        try {
          worker.send({ type: 'close' });
          await worker.next('closed', 60_000);
        } catch {
          // A worker that cannot close its clients is killed below.
        }
        await worker.stop();
      }),
    );
  }
}
