/**
 * package.json's `engines.node` matches the dependencies: the lowest Node
 * version of each range it allows satisfies the `engines.node` of every
 * installed package, so `npm ci` on an allowed Node warns about none
 * (EBADENGINE) and nothing needs a newer Node than the README says.
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import * as semver from 'semver';

const ROOT = join(__dirname, '..');

/** name@version and engines.node of every installed package that declares one. */
function installedEngines(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (name.startsWith('@')) {
        walk(path);
        continue;
      }
      const manifest = join(path, 'package.json');
      if (existsSync(manifest)) {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
          name: string;
          version: string;
          engines?: { node?: unknown };
        };
        if (typeof pkg.engines?.node === 'string') out.push([`${pkg.name}@${pkg.version}`, pkg.engines.node]);
      }
      if (existsSync(join(path, 'node_modules'))) walk(join(path, 'node_modules'));
    }
  };
  walk(join(ROOT, 'node_modules'));
  for (const ws of ['libs', 'services']) {
    for (const name of readdirSync(join(ROOT, ws)))
      if (existsSync(join(ROOT, ws, name, 'node_modules'))) walk(join(ROOT, ws, name, 'node_modules'));
  }
  return out;
}

describe('engines.node', () => {
  const root = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines
    .node;

  it('is met by the Node running the tests', () => {
    expect(semver.satisfies(process.versions.node, root)).toBe(true);
  });

  it('fits every installed dependency at the lowest version of each allowed range', () => {
    const lowest = root.split('||').map((part) => semver.minVersion(part.trim())!.version);
    expect(lowest.length).toBeGreaterThan(0);
    const deps = installedEngines();
    expect(deps.length).toBeGreaterThan(50);
    const misfits = lowest.flatMap((v) =>
      deps
        .filter(([, range]) => semver.validRange(range) && !semver.satisfies(v, range))
        .map(([pkg, range]) => `Node ${v}: ${pkg} needs ${range}`),
    );
    expect(misfits).toEqual([]);
  });
});
