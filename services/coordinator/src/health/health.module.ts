import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { JobsStoreHealth } from './jobs-store.health';

/** Liveness and readiness (`/health`, public). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [JobsStoreHealth],
})
export class HealthModule {}
