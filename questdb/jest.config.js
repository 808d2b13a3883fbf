/** @type {import('jest').Config} */
module.exports = require('../jest.preset')('questdb', __dirname);
