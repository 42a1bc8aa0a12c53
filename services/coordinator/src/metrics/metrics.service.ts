import { Inject, Injectable, Optional } from '@nestjs/common';
import { JOB_STATES, JobView } from '@tlbsim/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withDeadline } from '../common/deadline.util';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { SseHub } from '../http/sse.hub';
import { JobEventsService } from '../jobs/job-events.service';
import { JobsPort } from '../jobs/jobs.port';
import { ShardQueueStats } from '../queues/shard-queue.stats';

/** Cumulative counters of one job, last seen. */
interface Seen {
  shardWindows: number;
  accesses: number;
  violations: number;
}

const PAGE = 500;
/** Most jobs a scrape looks at (the job store keeps at most 10000 finished ones). */
const SCAN_MAX = 10_000;

/**
 * Prometheus metrics, computed from the job store at scrape time: jobs by
 * state, workers, shard windows/s and simulated accesses/s (over the time
 * since the previous scrape), violations found; plus HTTP latency and the
 * process defaults.
 */
@Injectable()
export class MetricsService {
  /** The registry `/metrics` serves. */
  readonly registry = new Registry();
  /** HTTP request latency, by method, route and status. */
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly seen = new Map<string, Seen>();
  private lastScrape = 0;
  private readonly jobs: Gauge<'state'>;
  private readonly workers: Gauge<'kind'>;
  private readonly demand: Gauge<'kind'>;
  private readonly queue: Gauge<'state'>;
  private readonly windowsRate: Gauge;
  private readonly accessesRate: Gauge;
  private readonly windowsTotal: Counter;
  private readonly accessesTotal: Counter;
  private readonly violationsTotal: Counter;
  private readonly redisUp: Gauge;
  /** The sample in progress: a slow one is not started twice and still updates the next scrape. */
  private sampling: Promise<void> | null = null;

  constructor(
    private readonly port: JobsPort,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
    hub: SseHub,
    jobEvents: JobEventsService,
    @Optional() private readonly shardQueue?: ShardQueueStats,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'tlbsim_coordinator_' });
    this.httpDuration = new Histogram({
      name: 'tlbsim_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.jobs = new Gauge({ name: 'tlbsim_jobs', help: 'Jobs by state', labelNames: ['state'], registers });
    this.workers = new Gauge({
      name: 'tlbsim_workers',
      help: 'Live workers (kind=live), their shard slots (capacity) and busy slots (busy)',
      labelNames: ['kind'],
      registers,
    });
    this.demand = new Gauge({
      name: 'tlbsim_slots_demanded',
      help: 'Shard slots held by admitted jobs (held), wanted by waiting jobs (waiting), and both (total)',
      labelNames: ['kind'],
      registers,
    });
    this.queue = new Gauge({
      name: 'tlbsim_shard_queue_jobs',
      help: 'Shard jobs in the BullMQ queue by state',
      labelNames: ['state'],
      registers,
    });
    this.windowsRate = new Gauge({
      name: 'tlbsim_shard_windows_per_second',
      help: 'Shard windows completed per second since the previous scrape',
      registers,
    });
    this.accessesRate = new Gauge({
      name: 'tlbsim_simulated_accesses_per_second',
      help: 'Simulated guest accesses per second since the previous scrape',
      registers,
    });
    this.windowsTotal = new Counter({
      name: 'tlbsim_shard_windows_total',
      help: 'Shard windows completed (seen by this coordinator)',
      registers,
    });
    this.accessesTotal = new Counter({
      name: 'tlbsim_simulated_accesses_total',
      help: 'Simulated guest accesses (seen by this coordinator)',
      registers,
    });
    this.violationsTotal = new Counter({
      name: 'tlbsim_violations_total',
      help: 'Coherence violations found (seen by this coordinator)',
      registers,
    });
    this.countStreams(hub, jobEvents, registers);
    this.redisUp = new Gauge({
      name: 'tlbsim_redis_up',
      help: "1 if the job store (Redis) answered this scrape's sample in time, else 0 (the job gauges then keep their last values)",
      registers,
    });
  }

  /** Open SSE streams by kind, refusals, and the shared readers behind the job streams, read at scrape time. */
  private countStreams(hub: SseHub, jobEvents: JobEventsService, registers: Registry[]): void {
    new Gauge({
      name: 'tlbsim_sse_streams',
      help: 'Open Server-Sent Events streams by kind (job-events, live)',
      labelNames: ['kind'],
      registers,
      collect() {
        for (const kind of ['job-events', 'live'] as const) this.set({ kind }, hub.count(kind));
      },
    });
    let refusedSeen = 0;
    new Counter({
      name: 'tlbsim_sse_streams_refused_total',
      help: 'SSE streams refused with 429 (per-client or total cap)',
      registers,
      collect() {
        this.inc(hub.refused - refusedSeen);
        refusedSeen = hub.refused;
      },
    });
    new Gauge({
      name: 'tlbsim_sse_job_readers',
      help: 'Jobs whose events are being read for SSE followers (one shared reader each)',
      registers,
      collect() {
        this.set(jobEvents.readers);
      },
    });
  }

  /**
   * Samples the job store (within the probe deadline, and not at all while
   * Redis is unreachable), then renders the registry in the Prometheus text
   * format: `/metrics` answers whatever Redis does.
   */
  async render(): Promise<string> {
    let fresh = false;
    if (this.port.reachable()) {
      this.sampling ??= this.sample().finally(() => (this.sampling = null));
      fresh = await withDeadline(this.sampling, this.options.probeDeadlineMs).then(
        () => true,
        () => false,
      );
    }
    this.redisUp.set(fresh ? 1 : 0);
    return this.registry.metrics();
  }

  /** The content type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** One pass over the stored jobs (newest first, at most {@link SCAN_MAX}) and the workers. */
  private async sample(): Promise<void> {
    const [jobs, workers, demand] = await Promise.all([this.scanJobs(), this.port.workers(), this.port.slotDemand()]);
    for (const kind of ['held', 'waiting', 'total'] as const) this.demand.set({ kind }, demand[kind]);
    if (this.shardQueue)
      for (const [state, n] of Object.entries(await this.shardQueue.counts())) this.queue.set({ state }, n);
    const byState = new Map<string, number>(JOB_STATES.map((s) => [s, 0]));
    for (const job of jobs) byState.set(job.state, (byState.get(job.state) ?? 0) + 1);
    for (const [state, n] of byState) this.jobs.set({ state }, n);
    this.workers.set({ kind: 'live' }, workers.length);
    this.workers.set(
      { kind: 'capacity' },
      workers.reduce((n, w) => n + w.capacity, 0),
    );
    this.workers.set(
      { kind: 'busy' },
      workers.reduce((n, w) => n + w.busy, 0),
    );
    this.account(jobs);
  }

  private async scanJobs(): Promise<JobView[]> {
    const out: JobView[] = [];
    for (let offset = 0; offset < SCAN_MAX; offset += PAGE) {
      const page = await this.port.list({ offset, limit: PAGE });
      out.push(...page.items);
      if (page.items.length < PAGE || offset + PAGE >= page.total) break;
    }
    return out;
  }

  /** Adds each job's progress since the previous scrape to the counters and rates. */
  private account(jobs: readonly JobView[]): void {
    const now = Date.now();
    let windows = 0;
    let accesses = 0;
    const present = new Set<string>();
    for (const job of jobs) {
      present.add(job.id);
      const cur: Seen = {
        shardWindows: job.perShard.reduce((n, s) => n + s.window, 0),
        accesses: job.progress.accesses,
        violations: job.violations,
      };
      const prev = this.seen.get(job.id) ?? { shardWindows: 0, accesses: 0, violations: 0 };
      windows += Math.max(0, cur.shardWindows - prev.shardWindows);
      accesses += Math.max(0, cur.accesses - prev.accesses);
      this.violationsTotal.inc(Math.max(0, cur.violations - prev.violations));
      this.seen.set(job.id, cur);
    }
    for (const id of this.seen.keys()) if (!present.has(id)) this.seen.delete(id);
    this.windowsTotal.inc(windows);
    this.accessesTotal.inc(accesses);
    const dt = this.lastScrape ? (now - this.lastScrape) / 1000 : 0;
    this.windowsRate.set(dt > 0 ? windows / dt : 0);
    this.accessesRate.set(dt > 0 ? accesses / dt : 0);
    this.lastScrape = now;
  }
}
