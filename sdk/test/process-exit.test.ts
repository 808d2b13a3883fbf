import { spawn } from 'node:child_process';
import path from 'node:path';
import { closedPort } from '@scrapewatch/testkit';
import { startIngestDouble, type IngestDouble } from './support/ingest-double';

const ROOT = path.resolve(__dirname, '../..');
const PROBE = path.join(__dirname, 'support/exit-probe.ts');

/** Runs the probe; resolves with its exit code and output, or rejects if it has not exited by the deadline. */
function runProbe(
  args: string[],
  deadlineMs = 40_000,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROBE, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the process did not exit by itself: ${stdout} ${stderr}`));
    }, deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`exit ${String(code)}: ${stderr}`));
      else resolve({ code, stdout });
    });
  });
}

describe('the SDK never keeps a process alive', () => {
  let server: IngestDouble;
  beforeAll(async () => {
    server = await startIngestDouble();
  });
  afterAll(async () => {
    await server.close();
  });

  it('exits after a flush, with an idle keep-alive connection to the collector', async () => {
    const { stdout } = await runProbe([server.url, 'flush']);
    expect(stdout).toContain('flushed {"ok":true,"pending":0}');
    expect(server.events().filter((e) => e['scraperSource'] === 'exit-probe')).toHaveLength(10);
  });

  it('exits while retries against an unreachable collector are pending', async () => {
    const { stdout } = await runProbe([`http://127.0.0.1:${await closedPort()}`, 'pending']);
    expect(stdout).toContain('pending 10');
  });

  it('exits after a flush that gave up at its deadline while retries go on', async () => {
    const { stdout } = await runProbe([`http://127.0.0.1:${await closedPort()}`, 'flush-deadline']);
    expect(stdout).toContain('gave up {"ok":false,"pending":10}');
  });
});
