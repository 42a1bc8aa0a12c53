import type { JobEvent } from '@tlbsim/contracts';
import type { RunReport } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import type { EventStreamRepository } from './event-stream.repository';
import type { JobRepository } from './job.repository';

/** One line of an export file. */
export type JobExportLine =
  | {
      kind: 'job';
      id: string;
      name: string;
      policy: string;
      seed: number;
      shards: number;
      createdAt: string;
      config: SimConfig;
    }
  | { kind: 'event'; event: JobEvent }
  | { kind: 'result'; state: string; digest: string | null; report: RunReport | null };

/**
 * A job as ndjson: a `job` line with the scenario (the inputs: config and
 * seed decide everything), its events, and a `result` line with the report
 * whose digest a replay must reproduce.
 * @throws Error if the job's metadata is gone (unknown or past retention)
 */
export async function* jobExportLines(
  c: { jobs: JobRepository; events: EventStreamRepository; retentionSec: number },
  id: string,
): AsyncIterable<string> {
  const [meta] = await c.jobs.metas([id]);
  if (!meta) throw new Error(`job ${id}: unknown, or its records expired (retention ${c.retentionSec} s)`);
  const head: JobExportLine = {
    kind: 'job',
    id: meta.id,
    name: meta.name,
    policy: meta.policy,
    seed: meta.seed,
    shards: meta.shards,
    createdAt: meta.createdAt,
    config: meta.config,
  };
  yield JSON.stringify(head);
  for (const event of await c.events.all(id)) yield JSON.stringify({ kind: 'event', event } satisfies JobExportLine);
  const [r] = await c.jobs.results([id]);
  const tail: JobExportLine = {
    kind: 'result',
    state: r?.state ?? 'running',
    digest: r?.digest ?? null,
    report: r?.report ? JSON.parse(r.report) : null,
  };
  yield JSON.stringify(tail);
}
