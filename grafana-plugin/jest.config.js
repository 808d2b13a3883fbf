/** @type {import('jest').Config} */
module.exports = require('./.config/jest.config.js');
