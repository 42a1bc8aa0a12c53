import { Module } from '@nestjs/common';
import { ScenariosModule } from '../scenarios/scenarios.module';
import { JobEventsService } from './job-events.service';
import { JobsController } from './jobs.controller';
import { JobsApiService } from './jobs.service';
import { JobTraceService } from './job-trace.service';

/** Jobs: submit, list, follow (SSE), cancel, resize, results, exports and traces (`/api/jobs`). */
@Module({
  imports: [ScenariosModule],
  controllers: [JobsController],
  providers: [JobsApiService, JobEventsService, JobTraceService],
  exports: [JobsApiService, JobEventsService],
})
export class JobsModule {}
