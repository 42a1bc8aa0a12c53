import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { SweepsModule } from '../sweeps/sweeps.module';
import { HuntsController } from './hunts.controller';
import { SearchesApiService } from './searches.service';
import { ShrinksController } from './shrinks.controller';

/** Hunts and shrinks: searches run as batches of points on the workers (`/api/hunts`, `/api/shrinks`). */
@Module({
  imports: [JobsModule, SweepsModule],
  controllers: [HuntsController, ShrinksController],
  providers: [SearchesApiService],
})
export class SearchesModule {}
