import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { SweepEventsService } from './sweep-events.service';
import { SweepsController } from './sweeps.controller';
import { SweepsApiService } from './sweeps.service';

/** Sweeps: grids of points run on the workers, and their event streams (`/api/sweeps`). */
@Module({
  imports: [JobsModule],
  controllers: [SweepsController],
  providers: [SweepsApiService, SweepEventsService],
  exports: [SweepEventsService],
})
export class SweepsModule {}
