import { Module } from '@nestjs/common';
import { CompareController } from './compare.controller';
import { CompareSensitivityService } from './compare-sensitivity.service';
import { CompareApiService } from './compare.service';
import { JobsModule } from './jobs.module';

/** Side-by-side policy comparisons: a group of jobs, one per policy, or a compare job of points with replications; their sensitivity (`/api/compare`). */
@Module({
  imports: [JobsModule],
  controllers: [CompareController],
  providers: [CompareApiService, CompareSensitivityService],
})
export class CompareModule {}
