/** @type {import('jest').Config} */
module.exports = require('../jest.preset')('protocol', __dirname);
