import { accessesTotalOf, JobEvent, JobPage, JobView, NewJobEvent, WorkerInfo } from '@tlbsim/contracts';
import type { RunReport } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { JobListQuery, JobsPort } from '../jobs/jobs.port';

/**
 * In-memory {@link JobsPort} for unit specs only (never wired in production):
 * jobs stay queued unless a spec appends events with {@link emit}.
 */
export class FakeJobsPort extends JobsPort {
  /** What {@link reachable} answers; a spec sets it false to play an unreachable Redis. */
  up = true;
  readonly jobs = new Map<string, JobView>();
  readonly scenarios = new Map<string, SimConfig>();
  readonly events = new Map<string, JobEvent[]>();
  readonly results = new Map<string, RunReport>();
  private seq = 0;

  /** Builds a queued job view. */
  private view(scenario: SimConfig, shards: number, groupId: string | null): JobView {
    const id = `job-${++this.seq}`;
    return {
      id,
      name: scenario.name,
      policy: scenario.kvm.policy,
      seed: scenario.seed,
      state: 'queued',
      shards,
      groupId,
      createdAt: new Date(Date.now() + this.seq).toISOString(),
      startedAt: null,
      finishedAt: null,
      progress: {
        windows: 0,
        windowsEstimate: 10,
        accesses: 0,
        accessesTotal: accessesTotalOf(scenario),
        fraction: 0,
        accessesPerSec: 0,
        etaSec: null,
      },
      violations: 0,
      perShard: Array.from({ length: shards }, (_, shard) => ({
        shard,
        state: 'queued' as const,
        window: 0,
        worker: null,
        resumes: 0,
      })),
      digest: null,
      error: null,
      slotsNeeded: null,
      slots: { needed: shards, live: 0, free: 0 },
      partialWindows: null,
    };
  }

  async submit(scenario: SimConfig, opts: { shards?: number; groupId?: string } = {}): Promise<JobView> {
    const job = this.view(scenario, opts.shards ?? 1, opts.groupId ?? null);
    this.jobs.set(job.id, job);
    this.scenarios.set(job.id, scenario);
    this.emit(job.id, { type: 'submitted' });
    return job;
  }

  async submitCompare(
    scenario: SimConfig,
    policies: string[],
    opts: { shards?: number } = {},
  ): Promise<{ groupId: string; jobs: JobView[] }> {
    const groupId = `group-${++this.seq}`;
    const jobs = await Promise.all(
      policies.map((p) =>
        this.submit(
          { ...scenario, kvm: { ...scenario.kvm, policy: p as SimConfig['kvm']['policy'] } },
          { ...opts, groupId },
        ),
      ),
    );
    jobs.forEach((job, groupIndex) => (job.groupIndex = groupIndex));
    return { groupId, jobs };
  }

  async get(id: string): Promise<JobView | null> {
    return this.jobs.get(id) ?? null;
  }

  async list(q: JobListQuery = {}): Promise<JobPage> {
    const all = [...this.jobs.values()]
      .reverse()
      .filter((j) => (!q.state || j.state === q.state) && (!q.groupId || j.groupId === q.groupId));
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    return { items: all.slice(offset, offset + limit), total: all.length, offset, limit };
  }

  async group(groupId: string): Promise<JobView[]> {
    return [...this.jobs.values()].filter((j) => j.groupId === groupId);
  }
  async scenario(id: string): Promise<SimConfig | null> {
    return this.scenarios.get(id) ?? null;
  }

  async result(id: string): Promise<RunReport | null> {
    return this.results.get(id) ?? null;
  }

  async cancel(id: string): Promise<JobView | null> {
    const job = this.jobs.get(id);
    if (!job) return null;
    job.state = 'cancelled';
    this.emit(id, { type: 'cancelled' });
    return job;
  }

  async resize(id: string, shards: number): Promise<JobView | null> {
    const job = this.jobs.get(id);
    if (!job) return null;
    job.shards = shards;
    this.emit(id, { type: 'resized', shards, window: 0 });
    return job;
  }

  /** Appends an event to a job's stream. */
  emit(jobId: string, event: NewJobEvent): JobEvent {
    const list = this.events.get(jobId) ?? [];
    const full: JobEvent = { id: `${list.length + 1}-0`, at: new Date().toISOString(), jobId, ...event };
    list.push(full);
    this.events.set(jobId, list);
    return full;
  }

  async lastEventId(id: string): Promise<string | null> {
    return this.events.get(id)?.at(-1)?.id ?? null;
  }

  async readEvents(id: string, afterId: string | null, blockMs: number, count = 100): Promise<JobEvent[]> {
    const after = afterId ? Number(afterId.split('-')[0]) : 0;
    const pick = (): JobEvent[] => (this.events.get(id) ?? []).slice(after, after + count);
    const found = pick();
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, Math.min(blockMs, 50)));
    return pick();
  }

  async workers(): Promise<WorkerInfo[]> {
    return [];
  }
  async slotDemand(): Promise<{ held: number; waiting: number; total: number }> {
    const open = [...this.jobs.values()].filter(
      (j) => j.state === 'queued' || j.state === 'running' || j.state === 'waiting-for-workers',
    );
    const total = open.reduce((a, j) => a + j.shards, 0);
    return { held: 0, waiting: total, total };
  }
  async *exportJob(id: string): AsyncIterable<string> {
    for (const e of this.events.get(id) ?? []) yield JSON.stringify(e);
  }
  async ping(): Promise<boolean> {
    return this.up;
  }
  reachable(): boolean {
    return this.up;
  }
  async close(): Promise<void> {}
}
