import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, until, withOutput } from '../src';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A shell that starts a grandchild (sleep), prints both pids, and ignores SIGTERM when asked.
function shell(script: string) {
  return startProcess(['sh', '-c', script], { env: { PATH: process.env['PATH'] ?? '' } });
}

describe('startProcess', () => {
  it('stops the whole group: the process and what it started', async () => {
    const proc = shell('sleep 300 & echo "grandchild $!"; wait');
    const grandchild = Number(
      (await until('the grandchild pid', () => /grandchild (\d+)/.exec(proc.output())?.[1]))!,
    );
    expect(alive(grandchild)).toBe(true);
    const status = await proc.stop();
    expect(status.signal).toBe('SIGTERM');
    await until('the grandchild gone', () => !alive(grandchild), 5_000);
  });

  it('SIGKILLs the group when SIGTERM is ignored past the grace period', async () => {
    const proc = shell('trap "" TERM; echo armed; while :; do sleep 0.05; done');
    await until('the trap armed', () => proc.output().includes('armed'));
    const startedMs = Date.now();
    const status = await proc.stop({ graceMs: 500 });
    expect(status.signal).toBe('SIGKILL');
    expect(Date.now() - startedMs).toBeLessThan(10_000);
  });

  it('is idempotent: later stops return the first result, also after the exit', async () => {
    const proc = shell('exit 3');
    expect(await proc.exited).toEqual({ code: 3, signal: null });
    const [a, b] = await Promise.all([proc.stop(), proc.stop({ signal: 'SIGKILL' })]);
    expect(a).toEqual({ code: 3, signal: null });
    expect(b).toBe(a);
    expect(await proc.stop()).toBe(a);
  });

  it('keeps stderr apart and in the failure message', async () => {
    const proc = shell('echo to-stdout; echo to-stderr >&2; exit 1');
    await proc.exited;
    expect(proc.stderr()).toBe('to-stderr\n');
    expect(proc.output()).toContain('to-stdout');
    expect(withOutput('it failed', proc)).toMatch(/^it failed; its output:\n[\s\S]*to-stderr/);
  });

  it('reports a command that cannot start, without hanging', async () => {
    const proc = startProcess(['/nonexistent/command'], { env: {} });
    await proc.exited;
    expect(await proc.stop()).toEqual({ code: null, signal: null });
    expect(proc.output()).toMatch(/ENOENT/);
  });

  it('writes to a log file when asked, and reads its tail', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-testkit-'));
    try {
      const proc = startProcess(['sh', '-c', 'echo logged; echo also >&2'], {
        env: { PATH: process.env['PATH'] ?? '' },
        logFile: path.join(dir, 'out.log'),
      });
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.output()).toBe('logged\nalso\n');
      await proc.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
