/**
 * Package boundaries. Each workspace's package.json declares the `@tlbsim/*`
 * workspaces it imports (the one place the graph is written); the declared
 * graph points inward (sim-core depends on nothing, libs never on services,
 * no cycles); the sources import exactly what is declared, dynamic `import()`
 * and `require()` included; and the lint rule built from the declarations
 * (eslint.config.mjs) refuses an undeclared or outward import. And
 * `JobsContainer` is named only by the composition roots: the classes they
 * build get their collaborators through their constructors, none holds the
 * container to look things up later (a service locator).
 */
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, relative, sep } from 'path';

const ROOT = join(__dirname, '..');
const ESLINT = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
const WORKSPACES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
  .workspaces;

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The declared `@tlbsim/*` dependencies of each workspace, by package name. */
const declared = new Map(
  WORKSPACES.map((dir) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
    return [
      pkg.name,
      {
        dir,
        deps: Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
          .filter((d) => d.startsWith('@tlbsim/'))
          .sort(),
      },
    ];
  }),
);

/** Every .ts file of a workspace's sources (src/, and the coordinator's dashboard/src/). */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.ts')) out.push(join(d, e.name));
    }
  };
  for (const sub of ['src', 'dashboard/src']) if (existsSync(join(ROOT, dir, sub))) walk(join(ROOT, dir, sub));
  return out;
}

/** The `@tlbsim/*` packages a source file imports: `from '...'`, `import('...')`, `require('...')`. */
function imported(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)'(@tlbsim\/[a-z-]+)/g)].map((m) => m[1]);
}

/**
 * The composition roots: the only sources that may name `JobsContainer` (it
 * builds and closes the jobs layer's parts; these wire them into the service
 * and the worker runtime).
 */
const COMPOSITION_ROOTS = ['libs/jobs/src/jobs.container.ts', 'services/worker/src/worker-runtime.factory.ts'];

/** A source's code without its comments (TSDoc may name anything). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

describe('package boundaries', () => {
  it('the declared graph points inward: sim-core depends on nothing, libs never on services, no cycles', () => {
    expect(declared.get('@tlbsim/sim-core')?.deps).toEqual([]);
    for (const [name, { dir, deps }] of declared) {
      if (!dir.startsWith('libs/')) continue;
      expect([name, deps.filter((d) => declared.get(d)?.dir.startsWith('services/'))]).toEqual([name, []]);
    }
    // Kahn's algorithm: every workspace gets a place in a dependency order.
    const placed = new Set<string>();
    for (let progress = true; progress;) {
      progress = false;
      for (const [name, { deps }] of declared) {
        if (!placed.has(name) && deps.every((d) => placed.has(d))) {
          placed.add(name);
          progress = true;
        }
      }
    }
    expect([...declared.keys()].filter((n) => !placed.has(n))).toEqual([]);
  });

  it('every workspace imports exactly the workspaces its package.json declares', () => {
    for (const [name, { dir, deps }] of declared) {
      const used = new Set<string>();
      for (const file of sources(dir)) for (const dep of imported(file)) if (dep !== name) used.add(dep);
      expect([name, [...used].sort()]).toEqual([name, deps]);
    }
  });

  it('only the composition roots name JobsContainer: no class holds it as a service locator', () => {
    const users = WORKSPACES.flatMap(sources)
      .filter((file) => /\bJobsContainer\b/.test(code(file)))
      .map((file) => relative(ROOT, file).split(sep).join('/'));
    expect(users.sort()).toEqual([...COMPOSITION_ROOTS].sort());
  });

  it('the lint rule refuses an undeclared, outward, by-path or Node import where it does not belong', () => {
    const eslint = (file: string, code: string) =>
      spawnSync(process.execPath, [ESLINT, '--stdin', '--stdin-filename', file], {
        cwd: ROOT,
        input: code,
        encoding: 'utf8',
        timeout: 60_000,
      });
    const kernel = eslint(
      'libs/sim-core/src/probe.ts',
      "import { readFileSync } from 'fs';\nexport const f = readFileSync;\n",
    );
    expect([kernel.status, kernel.stdout]).toEqual([
      1,
      expect.stringMatching(/'fs' import is restricted.*sim-core is the pure kernel/),
    ]);
    const jobs = eslint(
      'libs/jobs/src/probe.ts',
      [
        "import { startCoordinator } from '@tlbsim/coordinator';",
        "import { x } from '../../engine/src/shard';",
        "import { runInProcess } from '@tlbsim/engine';",
        'export const f = [startCoordinator, x, runInProcess];',
      ].join('\n') + '\n',
    );
    expect(jobs.status).toBe(1);
    expect(jobs.stdout).toMatch(
      /1:1 +error +'@tlbsim\/coordinator' import is restricted.*does not declare @tlbsim\/coordinator/,
    );
    expect(jobs.stdout).toMatch(
      /2:1 +error +'\.\.\/\.\.\/engine\/src\/shard' import is restricted.*by its package name/,
    );
    // The declared import on line 3 passes.
    expect(jobs.stdout).not.toMatch(/\b3:1\b/);
  });
});
