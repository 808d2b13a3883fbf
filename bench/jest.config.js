// Unit tests of the benchmark's own arithmetic (histogram, parsing). They need no QuestDB, so the
// shared QuestDB setup of the preset is left out. The benchmarks themselves never run under jest.
/** @type {import('jest').Config} */
module.exports = require('../jest.preset')('bench', __dirname, {
  globalSetup: undefined,
  globalTeardown: undefined,
});
