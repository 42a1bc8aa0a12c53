import { Module } from '@nestjs/common';
import { ScenariosController } from './scenarios.controller';
import { ScenariosService } from './scenarios.service';

/** The shipped scenarios and the scenario format's fields (`/api/scenarios`). */
@Module({ controllers: [ScenariosController], providers: [ScenariosService], exports: [ScenariosService] })
export class ScenariosModule {}
