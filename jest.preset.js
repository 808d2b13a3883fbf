// One jest configuration shape for every workspace. Each workspace's jest.config.js calls this;
// the root jest.config.js runs them all as projects. Every project shares one QuestDB server per
// run (see questdb/src/jest): the first project to start starts it, the last one stops it.
const path = require('node:path');

/** @returns {import('jest').Config} */
module.exports = function preset(name, dir, overrides = {}) {
  return {
    displayName: name,
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)sx?$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleNameMapper: {
      '^@scrapewatch/protocol/core$': path.join(__dirname, 'protocol/src/core.ts'),
      '^@scrapewatch/testkit/collector$': path.join(__dirname, 'testkit/src/collector.ts'),
      '^@scrapewatch/(protocol|questdb|nats|collector|sdk|testkit)$': path.join(
        __dirname,
        '$1/src/index.ts',
      ),
    },
    globalSetup: path.join(__dirname, 'questdb/src/jest/global-setup.ts'),
    globalTeardown: path.join(__dirname, 'questdb/src/jest/global-teardown.ts'),
    testTimeout: 60_000,
    ...overrides,
  };
};
