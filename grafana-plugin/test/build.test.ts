import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as grafanaData from '@grafana/data';
import { DataSourceApi, DataSourcePlugin } from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaSchema from '@grafana/schema';
import * as grafanaUi from '@grafana/ui';
import * as lodash from 'lodash';
import * as react from 'react';
import * as reactDom from 'react-dom';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

// Checks the artefact Grafana loads: run `npm run build -w grafana-plugin` first (the root
// `npm test` does).
const PLUGIN_DIR = path.resolve(__dirname, '..');
const DIST = path.join(PLUGIN_DIR, 'dist');
// Grafana's plugin.json schema, kept in the repository (source and licence: test/fixtures/README.md).
const SCHEMA = path.join(__dirname, 'fixtures', 'plugin.schema.json');

/** What Grafana's SystemJS loader provides to plugins for the externals. */
const SHARED_MODULES: Record<string, unknown> = {
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/schema': grafanaSchema,
  react,
  'react-dom': reactDom,
  'react/jsx-runtime': jsxRuntime,
  rxjs,
  lodash,
};

function distFile(name: string): string {
  const file = path.join(DIST, name);
  if (!existsSync(file))
    throw new Error(`${file} is missing: run "npm run build -w grafana-plugin" first`);
  return file;
}

/** Loads dist/module.js as Grafana does: an AMD module whose dependencies are the shared modules. */
function loadAmd(code: string): { deps: string[]; exports: Record<string, unknown> } {
  let loaded: { deps: string[]; exports: Record<string, unknown> } | undefined;
  const define = (deps: string[], factory: (...modules: unknown[]) => Record<string, unknown>) => {
    const modules = deps.map((dep) => {
      const shared = SHARED_MODULES[dep];
      if (shared === undefined)
        throw new Error(`module.js asks for ${dep}, which Grafana does not provide`);
      return shared;
    });
    loaded = { deps, exports: factory(...modules) };
  };
  (define as unknown as { amd: object }).amd = {};
  new Function('define', code)(define);
  if (loaded === undefined) throw new Error('module.js did not call define()');
  return loaded;
}

describe('the built plugin', () => {
  it("dist/plugin.json is valid against Grafana's plugin.json schema", () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toMatch(/draft-07/);
    // Draft-07 patterns are ECMA-262 without the u flag (the schema escapes '-' in character classes).
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const manifest = JSON.parse(readFileSync(distFile('plugin.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(manifest).toMatchObject({
      id: 'scrapewatch-live-datasource',
      type: 'datasource',
      streaming: true,
      metrics: true,
    });
    expect((manifest.info as { version: string }).version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(path.join(DIST, 'img', 'logo.svg'))).toBe(true);
    expect(existsSync(path.join(DIST, 'README.md'))).toBe(true);
  });

  it('dist/module.js is an AMD module exporting the DataSourcePlugin with its class and editors', () => {
    const { deps, exports } = loadAmd(readFileSync(distFile('module.js'), 'utf8'));
    expect(deps).toEqual(
      expect.arrayContaining(['@grafana/data', '@grafana/runtime', '@grafana/ui', 'react', 'rxjs']),
    );
    const plugin = exports.plugin as DataSourcePlugin<DataSourceApi>;
    expect(plugin).toBeInstanceOf(DataSourcePlugin);
    expect(typeof plugin.components.ConfigEditor).toBe('function');
    expect(typeof plugin.components.QueryEditor).toBe('function');
    const ds = new plugin.DataSourceClass({
      id: 1,
      uid: 'scrapewatch-live',
      type: 'scrapewatch-live-datasource',
      name: 'Scrapewatch Live',
      jsonData: { collectorUrl: 'http://127.0.0.1:8080' },
      meta: { id: 'scrapewatch-live-datasource' },
    } as never);
    expect(ds).toBeInstanceOf(DataSourceApi);
    expect(typeof ds.query).toBe('function');
    expect(typeof ds.testDatasource).toBe('function');
    expect(typeof ds.metricFindQuery).toBe('function');
  });

  it("ships LICENSE (Apache-2.0, the repository's) and CHANGELOG.md next to module.js", () => {
    const license = readFileSync(distFile('LICENSE'), 'utf8');
    expect(license).toMatch(/Apache License\s+Version 2\.0/);
    expect(license).toBe(readFileSync(path.resolve(PLUGIN_DIR, '../LICENSE'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(PLUGIN_DIR, 'package.json'), 'utf8')) as {
      license: string;
      version: string;
    };
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(distFile('CHANGELOG.md'), 'utf8')).toContain(`## ${pkg.version}`);
  });

  it("names in its source map only the plugin's own files, each as in src/, and dependencies", () => {
    // Grafana's plugin validator compares every mapped source that is not external, webpack's
    // runtime or under node_modules with the file of that name under the plugin's src/.
    const map = JSON.parse(readFileSync(distFile('module.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent: string[];
    };
    const own: string[] = [];
    map.sources.forEach((source, index) => {
      const name = source.replace(/^webpack:\/\/scrapewatch-live-datasource\/*|^webpack:\/*/, '');
      if (/^(external |webpack\/|\.\.\/node_modules\/)/.test(name)) return;
      own.push(name);
      const file = path.join(PLUGIN_DIR, 'src', name);
      expect({ name, found: existsSync(file) }).toEqual({ name, found: true });
      expect(map.sourcesContent[index]).toBe(readFileSync(file, 'utf8'));
    });
    expect(own).toEqual(expect.arrayContaining(['module.ts', 'datasource.ts']));
  });

  it('dist/module.js carries the protocol core (the event registry) but neither TypeBox nor ajv', () => {
    const code = readFileSync(distFile('module.js'), 'utf8');
    expect(code).toContain('navigationDurationMs');
    expect(code).toContain('itemsExtracted');
    expect(code).not.toMatch(/TypeBox|sinclair|\bajv\b|must have required property|strictNumbers/i);
  });
});
