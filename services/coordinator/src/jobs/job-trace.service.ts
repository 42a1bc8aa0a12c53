import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { accessesTotalOf } from '@tlbsim/contracts';
import { runInProcess, TRACE_EVENTS_DEFAULT, TraceRecorder } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { JobsPort } from './jobs.port';

/**
 * Most guest accesses a job may have for the coordinator to replay it into
 * a trace (`GET /api/jobs/:id/trace`): about ten seconds of one core. A
 * bigger job is traced offline: `tlbsim export` then `tlbsim run --trace-out`
 * on its scenario. @defaultValue 100000000
 */
export const TRACE_REPLAY_ACCESSES_MAX = 100_000_000;

/** The `vm` query (`1,3`): fleet-wide VM numbers, or null for every VM. @throws BadRequestException naming the query */
function vmsOf(query: string | undefined, config: SimConfig): Set<number> | null {
  if (query === undefined || query === '') return null;
  const vms = config.fleet.hosts * config.fleet.vmsPerHost;
  const out = new Set<number>();
  for (const text of query.split(',')) {
    const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!(n >= 0 && n < vms)) throw new BadRequestException(`vm: expected VM numbers 0..${vms - 1}, got ${text}`);
    out.add(n);
  }
  return out;
}

/**
 * The timeline of a finished job (`tlbsim run --trace-out`'s file): the
 * job is replayed in this process from its inputs, which reproduces its
 * digest, and the messages of the chosen VMs are recorded.
 */
@Injectable()
export class JobTraceService {
  constructor(private readonly port: JobsPort) {}

  /** The scenario of a job, from its export's first line. */
  private async configOf(id: string): Promise<SimConfig> {
    for await (const line of this.port.exportJob(id)) return (JSON.parse(line) as { config: SimConfig }).config;
    throw new NotFoundException(`no job ${id}`);
  }

  /**
   * The trace's JSON text, in chunks. 404 for an unknown job, 409 for one
   * that did not complete, 400 for a bad `vm`, 413 for a job too big to
   * replay here or a trace past its limit (both say what to do instead).
   */
  async trace(id: string, vm: string | undefined): Promise<Iterable<string>> {
    const job = await this.port.get(id);
    if (!job) throw new NotFoundException(`no job ${id}`);
    if (job.state !== 'completed')
      throw new ConflictException(`job ${id} is ${job.state}: only a completed job can be traced here`);
    const config = await this.configOf(id);
    const vms = vmsOf(vm, config);
    const accesses = accessesTotalOf(config);
    if (accesses > TRACE_REPLAY_ACCESSES_MAX)
      throw new PayloadTooLargeException(
        `job ${id} makes up to ${accesses} guest accesses, more than the ${TRACE_REPLAY_ACCESSES_MAX} the coordinator replays for a trace: ` +
          `tlbsim export ${id} > job.ndjson, then tlbsim run on its scenario with --trace-out`,
      );
    const recorder = new TraceRecorder(config, vms, TRACE_EVENTS_DEFAULT);
    const report = await runInProcess(config, {
      onSent: (sent, window) => recorder.onSent(sent, window),
      onLocalEvents: (events, window) => recorder.onLocalEvents(events, window),
      stopWhen: () => recorder.full,
    });
    if (recorder.full)
      throw new PayloadTooLargeException(
        `the trace of job ${id} passed ${TRACE_EVENTS_DEFAULT} events: trace fewer VMs (?vm=0,1)`,
      );
    if (report.digest !== job.digest)
      throw new ConflictException(`job ${id}: the replay gave digest ${report.digest}, not the job's ${job.digest}`);
    recorder.finish(report);
    return recorder.jsonChunks(report);
  }
}
