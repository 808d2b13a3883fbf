// Production build laid out like the one @grafana/create-plugin scaffolds (.config/webpack/
// webpack.config.ts, run by `webpack -c ./.config/webpack/webpack.config.ts`): an AMD
// dist/module.js whose shared libraries (@grafana/*, react, rxjs, lodash) are externals that
// Grafana's loader provides, with source maps, plus plugin.json (version and date filled in),
// img/, README.md, CHANGELOG.md and LICENSE copied next to it.
import path from 'node:path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';

const root = path.resolve(__dirname, '../..');
const repositoryRoot = path.resolve(root, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require(path.join(root, 'package.json')) as { name: string; version: string };
const PLUGIN_ID = 'scrapewatch-live-datasource';

const EXTERNALS: NonNullable<Configuration['externals']> = [
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

/** The workspace packages the plugin bundles, by folder: named as the dependencies they are. */
const WORKSPACE_DEPENDENCIES: Record<string, string> = {
  [path.join(repositoryRoot, 'protocol')]: '@scrapewatch/protocol',
};

function fillPluginJson(content: Buffer): string {
  const today = new Date().toISOString().slice(0, 10);
  return content.toString().replace('%VERSION%', pkg.version).replace('%TODAY%', today);
}

/**
 * Source map names relative to src/, as create-plugin's are. A workspace package is named by its
 * place under node_modules, as in a plugin installed on its own: the map's own sources are what
 * the plugin's repository folder holds, its dependencies are not.
 */
function sourceMapName(info: { absoluteResourcePath: string; resourcePath: string }): string {
  // Externals and webpack's runtime have no file: their names stay webpack's own.
  if (!path.isAbsolute(info.absoluteResourcePath))
    return `webpack://${PLUGIN_ID}/${info.resourcePath}`;
  for (const [folder, name] of Object.entries(WORKSPACE_DEPENDENCIES)) {
    if (info.absoluteResourcePath.startsWith(folder + path.sep)) {
      const inner = path.relative(folder, info.absoluteResourcePath).split(path.sep).join('/');
      return `webpack://${PLUGIN_ID}/../node_modules/${name}/${inner}`;
    }
  }
  const relative = path.relative(path.join(root, 'src'), info.absoluteResourcePath);
  return `webpack://${PLUGIN_ID}/${relative.split(path.sep).join('/')}`;
}

const config = (env: { development?: boolean } = {}): Configuration => {
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
      publicPath: `/public/plugins/${PLUGIN_ID}/`,
      uniqueName: PLUGIN_ID,
      clean: true,
      devtoolModuleFilenameTemplate: sourceMapName,
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx'],
      // Only the dependency-free core: the full package (TypeBox, ajv) must never reach the browser.
      alias: {
        '@scrapewatch/protocol/core$': path.join(repositoryRoot, 'protocol/src/core.ts'),
      },
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
          { from: '../CHANGELOG.md', to: '.' },
          { from: '../LICENSE', to: '.' },
        ],
      }),
    ],
    performance: { hints: false },
  };
};

export default config;
