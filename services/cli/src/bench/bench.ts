#!/usr/bin/env node
/**
 * `npm run bench`: prints one JSON object with the kernel benchmark
 * (simulated accesses per second on one core and bytes per vCPU for
 * scenarios/fleet.yaml, and the same for scenarios/steady-state-nested.yaml) and, unless `--kernel-only`, the distributed
 * benchmark (1 vs 2 worker processes over Redis) and the Redis Cluster one
 * (the same job over one Redis and over three cluster masters). Also writes it to
 * bench-out/bench.json. Numbers go into BENCHMARKS.md with this command.
 */
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { loadScenarioFile } from '../scenario.loader';
import { benchKernel } from './kernel.bench';

const ROOT = join(__dirname, '..', '..', '..', '..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const kernelOnly = args.includes('--kernel-only');
  const overrides = args.filter((a) => a.includes('='));
  const fleet = loadScenarioFile(join(ROOT, 'scenarios', 'fleet.yaml'), overrides);
  const out: Record<string, unknown> = {
    command: `npm run bench${args.length ? ' -- ' + args.join(' ') : ''}`,
    node: process.version,
    cpus: (await import('os')).cpus().length,
    kernel: await benchKernel(fleet),
    // Issue 9's answer scenario (one host, 8 vCPUs, the fix, real rates, 10 ms): as shipped, no overrides.
    kernelSteadyStateNested: await benchKernel(loadScenarioFile(join(ROOT, 'scenarios', 'steady-state-nested.yaml'))),
  };
  if (!kernelOnly) {
    // The distributed benchmark lives with the Redis transport's code.
    const file = join(__dirname, 'distributed.bench.js');
    const distributed = existsSync(file) ? ((await import(file)) as { benchDistributed(): Promise<unknown> }) : null;
    out.distributed = distributed
      ? await distributed.benchDistributed()
      : { skipped: 'distributed benchmark not built' };
    // The same job over one Redis and over a three-master Redis Cluster.
    const clusterFile = join(__dirname, 'cluster.bench.js');
    const cluster = existsSync(clusterFile)
      ? ((await import(clusterFile)) as { benchCluster(): Promise<unknown> })
      : null;
    out.cluster = cluster ? await cluster.benchCluster() : { skipped: 'cluster benchmark not built' };
  }
  mkdirSync(join(ROOT, 'bench-out'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-out', 'bench.json'), JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
