// The kit's own tests (polling, clocks, process lifecycle, the guard over every package's tests)
// need no QuestDB, so the shared QuestDB setup of the preset is left out.
/** @type {import('jest').Config} */
module.exports = require('../jest.preset')('testkit', __dirname, {
  globalSetup: undefined,
  globalTeardown: undefined,
});
