/** @type {import('jest').Config} */
module.exports = require('../jest.preset')('sdk', __dirname);
