/** @type {import('jest').Config} */
module.exports = require('../jest.preset')('collector', __dirname);
