import { Module } from '@nestjs/common';
import { ScenariosModule } from '../scenarios/scenarios.module';
import { JobEventsService } from './job-events.service';
import { JobsController } from './jobs.controller';
import { JobsApiService } from './jobs.service';

/** Jobs: submit, list, follow (SSE), cancel, resize, results and exports (`/api/jobs`). */
@Module({
  imports: [ScenariosModule],
  controllers: [JobsController],
  providers: [JobsApiService, JobEventsService],
  exports: [JobsApiService, JobEventsService],
})
export class JobsModule {}
