// What every package's tests share. A test that needs a collector process, a poll loop, a seed
// time or a free port takes it from here (a guard test fails on copies outside the kit).
export { pollUntil, until, memoryPoll, sleep, GiveUp, DEFAULT_POLL_TIMEOUT_MS } from './poll';
export type { PollOptions, Present } from './poll';
export { alignedNow, bucketStart, SECOND_MS, MINUTE_MS, HOUR_MS, DAY_MS } from './clock';
export type { Bucket } from './clock';
export { startProcess, withOutput } from './process';
export type { RunningProcess, ExitStatus, StartProcessOptions, StopOptions } from './process';
export { spawnCollector, COLLECTOR_MAIN, TSX_BIN, REPO_ROOT } from './collector-process';
export type { CollectorProcess, SpawnCollectorOptions } from './collector-process';
export { freePort, closedPort } from './ports';
export { execSql, countRows, waitForRowCount, walApplied, waitForWalApplied } from './questdb';
