/**
 * `npm run typecheck` covers every spec and every test file: jest runs them
 * through ts-jest with diagnostics off (for speed), so a type error in a test
 * would otherwise pass unseen. The projects it checks are listed here and in
 * package.json's `typecheck` script.
 */
import { spawnSync } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..');
const PROJECTS = ['tsconfig.json', 'services/coordinator/dashboard/tsconfig.spec.json'];

/** Every `*.spec.ts` under libs/ and services/ and every `.ts` under test/, relative to the root. */
function testSources(dir: string, all: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist' && !entry.name.startsWith('.'))
        out.push(...testSources(path, all));
    } else if (all ? entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') : entry.name.endsWith('.spec.ts')) {
      out.push(path);
    }
  }
  return out;
}

describe('npm run typecheck', () => {
  it('is the script that checks the projects listed here', () => {
    const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts.typecheck;
    for (const project of PROJECTS) expect(script).toContain(project);
    expect(script).toMatch(/--noEmit/);
  });

  it('covers every *.spec.ts and every test/**/*.ts', () => {
    const checked = new Set<string>();
    for (const project of PROJECTS) {
      const r = spawnSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, project), '--listFilesOnly'],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect([project, r.status]).toEqual([project, 0]);
      for (const line of r.stdout.split('\n')) if (line.trim()) checked.add(relative(ROOT, line.trim()));
    }
    const wanted = [...testSources('libs', false), ...testSources('services', false), ...testSources('test', true)];
    expect(wanted.length).toBeGreaterThan(30);
    expect(wanted.filter((f) => !checked.has(f))).toEqual([]);
  });
});
