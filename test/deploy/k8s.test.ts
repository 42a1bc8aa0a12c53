/**
 * Kubernetes manifests of deploy/k8s, checked offline (no cluster, no
 * network, no container engine):
 * - schema: every document validated by the JSON-schema validators shipped
 *   in the npm packages `kubernetes-models` and `@kubernetes-models/keda`
 *   (test/deploy/validate-k8s.mjs; they are ESM-only, so it runs in node);
 * - strict: those validators accept unknown fields, so every document is
 *   also type-checked by tsc against the same packages' TypeScript
 *   interfaces (IDeployment, IScaledObject, ...), whose excess-property
 *   check rejects a misspelt field such as `readinesProbe`;
 * - consistency: kustomization lists every file, selectors match pod
 *   labels, the ScaledObject watches the BullMQ wait list libs/jobs really
 *   uses, the container args are options the CLI has.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments, parse } from 'yaml';
import { bullPrefixOf, DEFAULT_PREFIX, SHARD_QUEUE } from '@tlbsim/jobs';
import { ENVIRONMENT_VARIABLES } from '@tlbsim/contracts';

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');
const CLI = join(ROOT, 'services', 'cli', 'dist', 'main.js');

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
};

const files = readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .sort();
const manifests: { file: string; m: Manifest }[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))
    .map((d) => ({ file, m: d.toJSON() as Manifest }))
    .filter((x) => x.m),
);
const find = (kind: string, name: string): Manifest => {
  const hit = manifests.find((x) => x.m.kind === kind && x.m.metadata.name === name);
  if (!hit) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return hit.m;
};

describe('deploy/k8s manifests', () => {
  it('validate against the Kubernetes and KEDA JSON schemas (kubernetes-models, offline)', () => {
    const run = spawnSync(process.execPath, [join(__dirname, 'validate-k8s.mjs'), K8S], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const results = JSON.parse(run.stdout) as {
      file: string;
      kind: string;
      name: string;
      ok: boolean;
      error?: string;
    }[];
    const bad = results.filter((r) => !r.ok).map((r) => `${r.file} ${r.kind}/${r.name}: ${r.error}`);
    expect(bad).toEqual([]);
    expect(run.status).toBe(0);
    expect(results.map((r) => `${r.kind}/${r.name}`).sort()).toEqual([
      'ConfigMap/tlbsim-config',
      'Deployment/tlbsim-coordinator',
      'Deployment/tlbsim-worker',
      'Namespace/tlbsim',
      'PodDisruptionBudget/tlbsim-worker',
      'ScaledObject/tlbsim-worker',
      'Service/tlbsim-coordinator',
      'Service/tlbsim-redis',
      'StatefulSet/tlbsim-redis',
    ]);
  });

  it("has no unknown fields (tsc excess-property check against the packages' interfaces)", () => {
    const dir = mkdtempSync(join(__dirname, '.strict-'));
    try {
      const lines: string[] = [];
      manifests.forEach(({ m }, i) => {
        const mod = m.apiVersion.startsWith('keda.sh/')
          ? `@kubernetes-models/keda/${m.apiVersion}`
          : `kubernetes-models/${m.apiVersion}`;
        lines.push(`import type { I${m.kind} as T${i} } from '${mod}/${m.kind}';`);
        lines.push(`export const m${i}: T${i} = ${JSON.stringify(m, null, 1)};`);
      });
      writeFileSync(join(dir, 'manifests.mts'), lines.join('\n'));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: 'node16',
            moduleResolution: 'node16',
            target: 'es2022',
            skipLibCheck: true,
            types: [],
          },
          files: ['manifests.mts'],
        }),
      );
      const tsc = spawnSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kustomization.yaml lists exactly the manifest files', () => {
    const k = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as {
      kind: string;
      namespace: string;
      resources: string[];
      images: { name: string }[];
    };
    expect(k.kind).toBe('Kustomization');
    expect([...k.resources].sort()).toEqual(files);
    expect(k.images.map((i) => i.name)).toEqual(['tlbsim']);
    expect(find('Namespace', k.namespace)).toBeDefined();
  });

  it('services, the PDB and the ScaledObject select the right pods', () => {
    const podLabels = (kind: string, name: string) =>
      find(kind, name).spec.template.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(
      matches(find('Service', 'tlbsim-coordinator').spec.selector, podLabels('Deployment', 'tlbsim-coordinator')),
    ).toBe(true);
    expect(matches(find('Service', 'tlbsim-redis').spec.selector, podLabels('StatefulSet', 'tlbsim-redis'))).toBe(true);
    expect(
      matches(
        find('PodDisruptionBudget', 'tlbsim-worker').spec.selector.matchLabels,
        podLabels('Deployment', 'tlbsim-worker'),
      ),
    ).toBe(true);
    const so = find('ScaledObject', 'tlbsim-worker');
    expect(so.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'tlbsim-worker' });
    // Two workers must never be evicted at once by a drain.
    expect(find('PodDisruptionBudget', 'tlbsim-worker').spec.maxUnavailable).toBe(1);
  });

  it('the KEDA redis trigger watches the BullMQ wait list that libs/jobs uses', () => {
    const so = find('ScaledObject', 'tlbsim-worker');
    const redis = so.spec.triggers.find((t: { type: string }) => t.type === 'redis');
    // BullMQ keys are `<prefix>:<queue>:wait`; libs/jobs passes prefix `<tlbsim prefix>:bull`.
    expect(redis.metadata.listName).toBe(`${bullPrefixOf(DEFAULT_PREFIX)}:${SHARD_QUEUE}:wait`);
    expect(redis.metadata.listName).toBe('tlbsim:bull:tlbsim-shards:wait');
    const cm = find('ConfigMap', 'tlbsim-config');
    const redisHost = new URL(cm.data!.TLBSIM_REDIS_URL).hostname;
    expect(redisHost).toBe('tlbsim-redis');
    expect(redis.metadata.address).toBe(
      `${redisHost}.tlbsim.svc.cluster.local:${new URL(cm.data!.TLBSIM_REDIS_URL).port}`,
    );
    const api = so.spec.triggers.filter((t: { type: string }) => t.type === 'metrics-api');
    expect(api.map((t: { metadata: { url: string } }) => new URL(t.metadata.url).hostname)).toEqual(
      api.map(() => 'tlbsim-coordinator.tlbsim.svc.cluster.local'),
    );
    // The exact signal: slots held plus every shard of waiting jobs (JobsService.slotDemand, /health).
    const demand = api.find((t: { name: string }) => t.name === 'slot-demand');
    expect(demand.metadata).toMatchObject({ format: 'json', valueLocation: 'info.workers.demand' });
    expect(new URL(demand.metadata.url).pathname).toBe('/health');
  });

  it('redis runs with AOF on and maxmemory-policy noeviction', () => {
    const args = find('StatefulSet', 'tlbsim-redis').spec.template.spec.containers[0].args as string[];
    expect(args[args.indexOf('--appendonly') + 1]).toBe('yes');
    expect(args[args.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
  });

  it('workers request CPU and memory; containers run as non-root', () => {
    const worker = find('Deployment', 'tlbsim-worker').spec.template.spec;
    expect(worker.containers[0].resources.requests).toEqual(
      expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
    );
    expect(worker.containers[0].resources.limits.memory).toBeDefined();
    for (const name of ['tlbsim-worker', 'tlbsim-coordinator'])
      expect(find('Deployment', name).spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it("the worker runs the worker process's own main, configured by variables the worker reads", () => {
    const container = find('Deployment', 'tlbsim-worker').spec.template.spec.containers[0];
    const command = container.command as string[];
    expect(command.slice(0, 3)).toEqual(['/usr/bin/tini', '--', 'node']);
    // The image holds the repository's built tree under /app.
    expect(existsSync(join(ROOT, command[3].replace(/^\/app\//, '')))).toBe(true);
    expect(container.args).toBeUndefined();
    const readByWorker = ENVIRONMENT_VARIABLES.filter((v) => v.processes.includes('worker')).map((v) => v.name);
    for (const { name } of container.env as { name: string }[]) expect(readByWorker).toContain(name);
  });

  it('container args are commands and options the built CLI has', () => {
    for (const name of ['tlbsim-coordinator']) {
      const args = find('Deployment', name).spec.template.spec.containers[0].args as string[];
      const help = execFileSync(process.execPath, [CLI, args[0], '--help'], {
        encoding: 'utf8',
        env: { ...process.env, TLBSIM_REDIS_URL: 'redis://127.0.0.1:1' },
      });
      for (const opt of args.filter((a) => a.startsWith('--'))) expect(help).toContain(opt);
    }
  });
});
