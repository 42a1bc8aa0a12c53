import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import type { AddressInfo } from 'net';
import { AppModule } from './app.module';
import { tokenBeforeBodyMiddleware, tokenMiddleware } from './common/api-token.guard';
import { bodyShapeError } from './common/body-shape.checker';
import { quietBoot } from './common/log-format';
import { YAML_TYPES } from './common/yaml-body.interceptor';
import { CoordinatorOptions, resolveOptions } from './coordinator.options';
import { mountDashboard } from './http/dashboard.mount';
import { mountQueues } from './http/queues.mount';
import { SseHub } from './http/sse.hub';
import { ShardQueueStats } from './queues/shard-queue.stats';
import type { Queue } from 'bullmq';
import { MetricsService } from './metrics/metrics.service';

/** A listening coordinator. */
export interface RunningCoordinator {
  app: INestApplication;
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  /** Ends SSE streams, stops the server, closes the job store. */
  close(): Promise<void>;
}

/**
 * Body parsers with the size limit; an oversize body is a JSON 413, a
 * malformed one (bad JSON, a body that does not decode as its
 * `Content-Encoding`) a JSON 400, an unsupported encoding or charset a JSON
 * 415; a parsed JSON body nested too deep or carrying prototype keys is a
 * 400 before any validation.
 */
function configureBodies(app: NestExpressApplication, limit: number): void {
  app.useBodyParser('json', { limit });
  app.useBodyParser('text', { limit, type: YAML_TYPES });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const problem = bodyShapeError(req.body);
    if (!problem) return next();
    return res
      .status(400)
      .json({ statusCode: 400, error: 'Bad Request', message: problem.message, details: [problem] });
  });
  app.use(
    (err: { status?: number; type?: string; message?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.status === 413)
        return res
          .status(413)
          .json({ statusCode: 413, error: 'Payload Too Large', message: `request body larger than ${limit} bytes` });
      if (err?.type === 'entity.parse.failed')
        return res.status(400).json({
          statusCode: 400,
          error: 'Bad Request',
          message: `malformed JSON body: ${err.message}`,
          details: [{ path: '', constraint: 'parse', message: `malformed JSON body: ${err.message}` }],
        });
      if (err?.status === 415)
        return res.status(415).json({ statusCode: 415, error: 'Unsupported Media Type', message: err.message });
      if (err?.status && err.status >= 400 && err.status < 500)
        return res
          .status(err.status)
          .json({ statusCode: err.status, error: 'Bad Request', message: `unreadable request body: ${err.message}` });
      return next(err);
    },
  );
}

/** Records every request's latency in the metrics histogram. */
function recordLatency(app: INestApplication): void {
  const metrics = app.get(MetricsService);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route =
        (req.route as { path?: string } | undefined)?.path ?? (req.path.startsWith('/queues') ? '/queues' : 'other');
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
}

/** The routes SwaggerModule registers outside Nest's controllers (the UI, its assets, the JSON and YAML documents). */
export const OPENAPI_ROUTES = ['/api/docs', '/api/docs-json', '/api/docs-yaml'];

/**
 * OpenAPI document at `/api/docs` (JSON at `/api/docs-json`). SwaggerModule
 * registers these routes on Express directly, where the global guard does
 * not run: they are mounted behind the API token first, as `/queues` is.
 */
function setupOpenApi(app: INestApplication, token: string | undefined): void {
  app.use(OPENAPI_ROUTES, tokenMiddleware(token));
  const config = new DocumentBuilder()
    .setTitle('tlbsim coordinator')
    .setDescription(
      'Submit, follow and compare TLB-coherence simulations. When TLBSIM_API_TOKEN is set, every route but `/health` (and `/metrics`, which has its own token) needs `Authorization: Bearer <TLBSIM_API_TOKEN>`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, config));
}

/** The queues bull-board shows: the shard queue from @nestjs/bullmq (none when a ready-made job store stands in for Redis: tests). */
function adminQueues(app: NestExpressApplication, options: CoordinatorOptions): Queue[] {
  return options.jobs ? [] : [app.get(ShardQueueStats, { strict: false }).queue];
}

/**
 * An Express instance whose router matches paths case-sensitively: `/API/jobs`
 * is not `/api/jobs` (a 404, or a 401 without the token: ApiErrorFilter), so
 * no path reaches a handler in a spelling that a rule about paths could miss.
 * Set before Nest touches the instance, since Express reads the setting once,
 * when it creates its router.
 */
function caseSensitiveExpress(): ExpressAdapter {
  const instance = express();
  instance.set('case sensitive routing', true);
  return new ExpressAdapter(instance);
}

/** Creates (but does not start) the coordinator app: API, docs, /queues, dashboard. */
export async function createCoordinatorApp(given: Partial<CoordinatorOptions> = {}): Promise<NestExpressApplication> {
  const options = resolveOptions(given);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), caseSensitiveExpress(), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(quietBoot(app.get(Logger)));
  app.disable('x-powered-by');
  if (options.corsOrigins.length > 0) app.enableCors({ origin: options.corsOrigins });
  recordLatency(app);
  app.use(tokenBeforeBodyMiddleware(options.apiToken));
  configureBodies(app, options.maxBodyBytes);
  mountQueues(app, adminQueues(app, options), options.apiToken);
  setupOpenApi(app, options.apiToken);
  mountDashboard(app, options.dashboardDir);
  return app;
}

/** Starts the coordinator on `port` (0: a free one) and `host`. */
export async function startCoordinator(
  given: Partial<CoordinatorOptions> & { port?: number; host?: string } = {},
): Promise<RunningCoordinator> {
  const { port = 3000, host = '0.0.0.0', ...rest } = given;
  const app = await createCoordinatorApp(rest);
  try {
    await app.listen(port, host);
  } catch (error) {
    // e.g. EADDRINUSE: close the job store's connections, or they outlive the failed start.
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    app,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close: async () => {
      app.get(SseHub).closeAll();
      await app.close();
    },
  };
}
