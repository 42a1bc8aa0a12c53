import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_EVENT_TYPES, JOB_STATES, SHARD_STATES } from '@tlbsim/contracts';
import type { JobEvent, JobPage, JobProgress, JobSlots, JobView, ShardView, WorkerInfo } from '@tlbsim/contracts';

// OpenAPI descriptions of the response shapes of libs/contracts/src/job.types.ts.

/** OpenAPI shape of {@link JobProgress}. */
export class JobProgressDto implements JobProgress {
  @ApiProperty({ description: "Slowest shard's completed windows" }) windows!: number;
  @ApiProperty() windowsEstimate!: number;
  @ApiProperty({ description: 'Simulated guest accesses so far' }) accesses!: number;
  @ApiProperty() accessesTotal!: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) fraction!: number;
  @ApiProperty({ description: 'Simulated accesses per wall-clock second' }) accessesPerSec!: number;
  @ApiProperty({ nullable: true, type: Number }) etaSec!: number | null;
}

/** OpenAPI shape of {@link ShardView}. */
export class ShardViewDto implements ShardView {
  @ApiProperty() shard!: number;
  @ApiProperty({ enum: SHARD_STATES }) state!: ShardView['state'];
  @ApiProperty() window!: number;
  @ApiProperty({ nullable: true, type: String }) worker!: string | null;
  @ApiProperty() resumes!: number;
}

/** OpenAPI shape of {@link JobSlots}. */
export class JobSlotsDto implements JobSlots {
  @ApiProperty({ description: 'Slots the job needs at once (its shards)' }) needed!: number;
  @ApiProperty({ description: 'Slots of the live workers' }) live!: number;
  @ApiProperty({ description: 'Live slots not held by admitted jobs' }) free!: number;
}

/** OpenAPI shape of {@link JobView}. */
export class JobViewDto implements JobView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() policy!: string;
  @ApiProperty() seed!: number;
  @ApiProperty({ enum: JOB_STATES }) state!: JobView['state'];
  @ApiProperty() shards!: number;
  @ApiProperty({ nullable: true, type: String }) groupId!: string | null;
  @ApiPropertyOptional({ description: 'position of the policy in its compare request (0: the baseline)' })
  groupIndex?: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ type: JobProgressDto }) progress!: JobProgressDto;
  @ApiProperty() violations!: number;
  @ApiProperty({ type: [ShardViewDto] }) perShard!: ShardViewDto[];
  @ApiProperty({ nullable: true, type: String }) digest!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: Number }) slotsNeeded!: number | null;
  @ApiProperty({
    nullable: true,
    type: JobSlotsDto,
    description: 'Slots needed and live while the job is not finished',
  })
  slots!: JobSlotsDto | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Windows covered by the partial report (`/result`, `partial: true`) of a cancelled or failed job; null when it has none',
  })
  partialWindows!: number | null;
}

/** OpenAPI shape of {@link JobPage}. */
export class JobPageDto implements JobPage {
  @ApiProperty({ type: [JobViewDto] }) items!: JobViewDto[];
  @ApiProperty() total!: number;
  @ApiProperty() offset!: number;
  @ApiProperty() limit!: number;
}

/** OpenAPI shape of the answer of `POST /api/compare`. */
export class CompareGroupDto {
  @ApiProperty() groupId!: string;
  @ApiProperty({ type: [JobViewDto], description: 'in the order of the policies given (the first is the baseline)' })
  jobs!: JobViewDto[];
}

/** Every key some member of {@link JobEvent} carries. */
type JobEventKey = JobEvent extends infer E ? (E extends JobEvent ? keyof E : never) : never;

/**
 * OpenAPI shape of {@link JobEvent} (the `data` of each SSE message): every
 * key any event type carries, each present only on the types its
 * description names (contracts' job-event.types.ts has one member per type).
 */
export class JobEventDto implements Partial<Record<JobEventKey, unknown>> {
  @ApiProperty({ description: 'Redis stream id; the SSE id' }) id!: string;
  @ApiProperty({ enum: JOB_EVENT_TYPES }) type!: JobEvent['type'];
  @ApiProperty() at!: string;
  @ApiProperty() jobId!: string;
  @ApiPropertyOptional({ description: 'shard-* and window-completed: the shard' }) shard?: number;
  @ApiPropertyOptional({ description: 'shard-* and window-completed: the worker running the shard' }) worker?: string;
  @ApiPropertyOptional({
    description:
      'shard-started, shard-resumed, shard-completed: windows the shard has done; window-completed: index of the window it just completed; resized: windows done when the new shards take over; cancelled, failed: windows the partial report covers (absent without one)',
  })
  window?: number;
  @ApiPropertyOptional({ description: 'window-completed: cumulative for the shard' }) accesses?: number;
  @ApiPropertyOptional({ description: 'window-completed: cumulative for the shard' }) tlbHits?: number;
  @ApiPropertyOptional({ description: 'window-completed: cumulative for the shard' }) tlbMisses?: number;
  @ApiPropertyOptional({ description: 'window-completed: cumulative for the shard' }) nestedWalks?: number;
  @ApiPropertyOptional({ description: 'window-completed: cumulative for the shard (GPA space + GPA list flushes)' })
  hypercalls?: number;
  @ApiPropertyOptional({ description: 'window-completed: cumulative for the shard' }) shootdownMessages?: number;
  @ApiPropertyOptional({
    description:
      "window-completed: the shard's cumulative count; completed, cancelled, failed: the report's or partial report's",
  })
  violations?: number;
  @ApiPropertyOptional({ description: 'waiting-for-workers: slots the job needs' }) slotsNeeded?: number;
  @ApiPropertyOptional({ description: 'waiting-for-workers: slots free on the live workers' }) slotsFree?: number;
  @ApiPropertyOptional({ description: 'waiting-for-workers: slots of all live workers' }) slotsLive?: number;
  @ApiPropertyOptional({ description: 'completed: the report digest' }) digest?: string;
  @ApiPropertyOptional({ description: 'failed, shard-failed' }) error?: string;
  @ApiPropertyOptional({ description: 'resize-requested: shards asked for; resized: shards the job runs on' })
  shards?: number;
}

/** Event keys the OpenAPI shape leaves out: must be none. */
type UndocumentedEventKey = Exclude<JobEventKey, keyof JobEventDto>;
const _everyEventKeyDocumented: [UndocumentedEventKey] extends [never] ? true : UndocumentedEventKey = true;

/** OpenAPI shape of {@link WorkerInfo}. */
export class WorkerInfoDto implements WorkerInfo {
  @ApiProperty() id!: string;
  @ApiProperty() host!: string;
  @ApiProperty() pid!: number;
  @ApiProperty({ description: 'Shards it runs at once' }) capacity!: number;
  @ApiProperty() busy!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', properties: { jobId: { type: 'string' }, shard: { type: 'number' } } },
  })
  shards!: { jobId: string; shard: number }[];
  @ApiProperty() startedAt!: string;
  @ApiProperty() lastHeartbeatAt!: string;
}

/** OpenAPI shape of an error body. */
export class ApiErrorDto {
  @ApiProperty() statusCode!: number;
  @ApiProperty() error!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({
    description:
      'Every bad field: dotted path (scenario-relative for scenario fields), value, broken constraint, limit, message',
    type: 'array',
    items: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        constraint: { type: 'string' },
        limit: {},
        value: {},
        message: { type: 'string' },
      },
    },
  })
  details?: unknown[];
}
