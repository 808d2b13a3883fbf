export { startQuestDB, isQuestDBUp } from './server';
export type { QuestDBOptions, QuestDBServer } from './server';
export { ensureJar, findJava } from './jar';
export { freePort } from './ports';
export { QuestDBHarnessError } from './errors';
export { QUESTDB_VERSION } from './version';
export { testQuestDB, ENV_HTTP, ENV_PG } from './jest/shared';
