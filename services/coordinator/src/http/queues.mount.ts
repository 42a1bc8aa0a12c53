import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { tokenMiddleware } from '../common/api-token.guard';

/** Base path of the queue admin UI. */
export const QUEUES_PATH = '/queues';

/**
 * Mounts bull-board at `/queues` over `queues`, behind the API token when one
 * is set (Bearer, or a Basic password so a browser can log in).
 */
export function mountQueues(app: INestApplication, queues: readonly Queue[], token: string | undefined): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q as never)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'tlbsim queues' } },
  });
  app.use(QUEUES_PATH, tokenMiddleware(token), serverAdapter.getRouter());
}
