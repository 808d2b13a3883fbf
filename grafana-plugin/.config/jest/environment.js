// jsdom, as Grafana's frontend runs in a browser, plus the network primitives a browser has and
// jsdom lacks (fetch and friends come from Node, which implements the same WHATWG API).
const { TestEnvironment } = require('jest-environment-jsdom');

const FROM_NODE = [
  'fetch',
  'Headers',
  'Request',
  'Response',
  'TextEncoder',
  'TextDecoder',
  'ReadableStream',
  'structuredClone',
];

class PluginEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of FROM_NODE) {
      if (this.global[name] === undefined && globalThis[name] !== undefined)
        this.global[name] = globalThis[name];
    }
  }
}

module.exports = PluginEnvironment;
