// Production build in the shape of @grafana/create-plugin: an AMD dist/module.js whose shared
// libraries (@grafana/*, react, rxjs, lodash) are externals that Grafana's loader provides, plus
// plugin.json (version and date filled in), img/ and README.md copied next to it.
const path = require('node:path');
const CopyWebpackPlugin = require('copy-webpack-plugin');

const root = path.resolve(__dirname, '../..');
const pkg = require(path.join(root, 'package.json'));

const EXTERNALS = [
  // Lets the bundle resolve its public path from the AMD module's own URL.
  { 'amd-module': 'module' },
  'lodash',
  'react',
  'react-dom',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'rxjs',
  /^rxjs\//,
  /^@grafana\/ui/i,
  /^@grafana\/runtime/i,
  /^@grafana\/data/i,
  /^@grafana\/schema/i,
];

function fillPluginJson(content) {
  const today = new Date().toISOString().slice(0, 10);
  return content.toString().replace('%VERSION%', pkg.version).replace('%TODAY%', today);
}

module.exports = (env = {}) => {
  const production = !env.development;
  return {
    mode: production ? 'production' : 'development',
    devtool: production ? 'source-map' : 'eval-source-map',
    context: path.join(root, 'src'),
    entry: { module: './module.ts' },
    target: 'web',
    externals: EXTERNALS,
    output: {
      path: path.join(root, 'dist'),
      filename: '[name].js',
      library: { type: 'amd' },
      publicPath: '/public/plugins/scrapewatch-live-datasource/',
      uniqueName: 'scrapewatch-live-datasource',
      clean: true,
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx'],
      alias: { '@scrapewatch/protocol$': path.resolve(root, '../protocol/src/index.ts') },
    },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
                target: 'es2020',
              },
            },
          },
        },
        // The protocol package is pure declarations: let webpack drop what the plugin does not
        // use (validation and its JSON-schema compiler never reach the browser bundle).
        { test: /[\\/]protocol[\\/]src[\\/]/, sideEffects: false },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          { from: 'plugin.json', to: '.', transform: fillPluginJson },
          { from: 'img', to: 'img' },
          { from: '../README.md', to: '.' },
        ],
      }),
    ],
    performance: { hints: false },
  };
};
