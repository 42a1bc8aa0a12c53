import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { WorkerInfo } from '@tlbsim/contracts';
import { WorkerInfoDto } from '../jobs/job-view.dto';
import { WorkersService } from './workers.service';

/** Live workers. */
@ApiTags('workers')
@Controller('api/workers')
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  /** Live workers: capacity, busy slots, current shards. */
  @Get()
  @ApiOkResponse({ type: [WorkerInfoDto] })
  list(): Promise<WorkerInfo[]> {
    return this.workers.list();
  }
}
