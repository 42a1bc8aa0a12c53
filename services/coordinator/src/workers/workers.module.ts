import { Module } from '@nestjs/common';
import { LiveController } from '../live/live.controller';
import { LiveService } from '../live/live.service';
import { WorkersController } from './workers.controller';
import { WorkersService } from './workers.service';

/** The live workers (`/api/workers`) and the live feed of jobs and workers (`/api/live`). */
@Module({ controllers: [WorkersController, LiveController], providers: [WorkersService, LiveService] })
export class WorkersModule {}
