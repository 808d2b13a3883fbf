/** @type {import('jest').Config} */
module.exports = require('../jest.preset')('dev', __dirname);
