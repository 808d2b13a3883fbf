import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { REPO, supportedNode } from '../prerequisites';

interface LockEntry {
  version?: string;
  engines?: unknown;
  hasInstallScript?: boolean;
}

const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const locked = Object.entries(lock.packages).filter(([key]) => key.includes('node_modules/'));
const nameOf = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 13);

const DOCKERFILES = ['collector/Dockerfile', 'provisioning/docker/grafana.Dockerfile'];

// `npm ci` warns (EBADENGINE) when a locked package's engines do not accept the running Node.js,
// and npm 11 warns about every dependency install script that `allowScripts` does not decide.
describe('Node.js versions', () => {
  const range = supportedNode();

  it('the supported versions are a valid range', () => {
    expect(semver.validRange(range)).not.toBeNull();
  });

  it('every locked package accepts every supported Node.js version', () => {
    const refusing = locked
      .filter(([, entry]) => {
        const node = (entry.engines as { node?: unknown } | undefined)?.node;
        return typeof node === 'string' && !semver.subset(range, node);
      })
      .map(
        ([key, entry]) =>
          `${nameOf(key)}@${entry.version} wants node ${String((entry.engines as { node: string }).node)}`,
      );
    expect(refusing).toEqual([]);
  });

  it('every dependency install script is decided in allowScripts', () => {
    const undecided = locked
      .filter(
        ([key, entry]) => entry.hasInstallScript && !(nameOf(key) in (manifest.allowScripts ?? {})),
      )
      .map(([key, entry]) => `${nameOf(key)}@${entry.version}`);
    expect(undecided).toEqual([]);
  });

  it('the images run one Node.js line, and a supported one', () => {
    const tags = DOCKERFILES.flatMap((file) =>
      [...readFileSync(path.join(REPO, file), 'utf8').matchAll(/^FROM node:(\S+)/gm)].map(
        (m) => m[1]!,
      ),
    );
    expect(tags.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tags).size).toBe(1);
    // A major-only tag floats to that line's newest release: the whole line must be supported.
    const major = /^(\d+)-/.exec(tags[0]!)?.[1];
    expect(major).toBeDefined();
    expect(semver.subset(`^${major}.0.0`, range)).toBe(true);
  });
});
