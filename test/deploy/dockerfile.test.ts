/**
 * deploy/Dockerfile and .dockerignore, checked statically (no container
 * engine here): the stages, the runtime user and entrypoint, and that every
 * file the build COPYs from the context exists and is not excluded by
 * .dockerignore.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');
const text = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
/** Instructions with continuation lines joined, comments dropped. */
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Whether a context path is excluded by a .dockerignore pattern (the subset of the syntax we use). */
function ignored(path: string): boolean {
  return ignore.some((p) => {
    const body = p
      .replace(/[.+^${}()|[\]]/g, '\\$&')
      .replace(/\*\*\//g, '\0')
      .replace(/\*/g, '[^/]*')
      .replace(/\0/g, '(.*/)?');
    const re = new RegExp(`^${body}(/.*)?$`);
    return re.test(path.replace(/\/$/, ''));
  });
}

describe('deploy/Dockerfile', () => {
  const froms = instructions.filter((l) => /^FROM /i.test(l));
  const runtimeStart = instructions.findIndex((l) => /^FROM .* AS runtime$/i.test(l));
  const runtime = instructions.slice(runtimeStart);

  it('is multi-stage: a build stage and a slim Node 20 runtime', () => {
    expect(froms.map((f) => f.split(/\s+/).pop())).toEqual(['build', 'runtime']);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
    expect(instructions.some((l) => /^RUN npm ci\b/.test(l))).toBe(true);
    expect(instructions.some((l) => /npm prune --omit=dev/.test(l))).toBe(true);
  });

  it('runs as a non-root user under tini with the tlbsim entrypoint', () => {
    const user = runtime.filter((l) => /^USER /.test(l)).pop();
    expect(user).toBe('USER node');
    expect(runtime.find((l) => /^ENTRYPOINT /.test(l))).toBe('ENTRYPOINT ["/usr/bin/tini", "--", "tlbsim"]');
    expect(runtime.some((l) => /apt-get install .*\btini\b/.test(l))).toBe(true);
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const sources = instructions
      .filter((l) => /^COPY /.test(l) && !/--from=/.test(l))
      .flatMap((l) =>
        l
          .replace(/^COPY\s+/, '')
          .split(/\s+/)
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) {
      expect([src, existsSync(join(ROOT, src))]).toEqual([src, true]);
      expect([src, ignored(src)]).toEqual([src, false]);
    }
    // And the heavy or irrelevant parts stay out of the context.
    for (const path of [
      'node_modules',
      'libs/jobs/node_modules',
      'libs/jobs/dist',
      '.git',
      'test/artifacts',
      'bench-out',
    ])
      expect([path, ignored(path)]).toEqual([path, true]);
  });

  it('ships every workspace node_modules npm nested (versions differing from the hoisted ones)', () => {
    // The runtime takes the tree the build stage assembled, with workspaces' own node_modules.
    expect(runtime).toContain('COPY --from=build /out ./');
    const assemble = instructions.find((l) => l.startsWith('RUN set -e; mkdir -p /out'))!;
    expect(assemble).toContain('"$ws/node_modules"');
    for (const ws of [
      'libs/sim-core',
      'libs/contracts',
      'libs/engine',
      'libs/jobs',
      'services/worker',
      'services/coordinator',
      'services/cli',
    ]) {
      expect(assemble).toContain(ws);
    }
  });

  it('ships the health-check script the compose file and the k8s probes call', () => {
    expect(runtime).toContain('COPY deploy/healthcheck.js deploy/healthcheck.js');
    expect(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')).toContain('/app/deploy/healthcheck.js');
  });
});
