// Jest configuration of the plugin, shaped like @grafana/create-plugin's: the shared preset (one
// QuestDB per run, @scrapewatch/* mapping) plus a browser-like environment and a JSX transform.
// Works from the plugin directory and as a project of the root jest.config.js.
const path = require('node:path');
const preset = require('../../jest.preset');

const ESM_ONLY = [
  'marked',
  'marked-mangle',
  '@react-hookz/web',
  '@ver0/[a-z-]+',
  'd3-[a-z-]+',
  'internmap',
  'ol',
  'rbush',
  'quickselect',
  'earcut',
  'pbf',
  'geotiff',
  'react-calendar',
  'get-user-locale',
  'memoize',
  'mimic-function',
  '@wojtekmaj/[a-z-]+',
  'react-loading-skeleton',
  '@grafana/react-data-grid',
  '@leeoniya/ufuzzy',
  '@tanstack/[a-z-]+',
  'compute-scroll-into-view',
  'uwrap',
  'web-vitals',
  'quick-lru',
  'stylis',
];

const pluginDir = path.resolve(__dirname, '..');

const base = preset('grafana-plugin', pluginDir);

module.exports = preset('grafana-plugin', pluginDir, {
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '\\.(css|scss|sass)$': path.join(__dirname, 'jest/style-stub.js'),
  },
  testEnvironment: path.join(__dirname, 'jest/environment.js'),
  // Resolve packages to their CommonJS builds: jsdom's default 'browser' condition picks ESM-only
  // files (e.g. marked's) that jest cannot require.
  testEnvironmentOptions: { customExportConditions: ['require', 'default'] },
  testMatch: ['<rootDir>/test/**/*.test.ts?(x)', '<rootDir>/src/**/*.test.ts?(x)'],
  // ESM-only dependencies of @grafana/* are compiled to CommonJS like our own code.
  // (every .mjs, and the ESM-only packages that ship .js).
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/).+\\.c?js$`],
  setupFiles: [path.join(__dirname, 'jest/setup.js')],
  transform: {
    '^.+\\.(t|j)sx?$|^.+\\.mjs$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
});
