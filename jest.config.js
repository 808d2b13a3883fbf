const { existsSync } = require('node:fs');
const path = require('node:path');

const WORKSPACES = [
  'protocol',
  'questdb',
  'nats',
  'collector',
  'sdk',
  'grafana-plugin',
  'provisioning',
  'bench',
  'testkit',
  'dev',
];

/** @type {import('jest').Config} */
module.exports = {
  projects: WORKSPACES.filter((w) => existsSync(path.join(__dirname, w, 'jest.config.js'))).map(
    (w) => `<rootDir>/${w}`,
  ),
  // Two cores, shared with QuestDB: more workers only make every test slower.
  maxWorkers: 2,
  // Project configs cannot set this for a multi-project run: it is global.
  testTimeout: 60_000,
};
