import { Module } from '@nestjs/common';
import { CompareController } from './compare.controller';
import { JobsModule } from './jobs.module';

/** Side-by-side policy comparisons: a group of jobs, one per policy (`/api/compare`). */
@Module({ imports: [JobsModule], controllers: [CompareController] })
export class CompareModule {}
