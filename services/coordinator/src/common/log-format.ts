import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import pretty from 'pino-pretty';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Options } from 'pino-http';

/** How the coordinator writes its logs: JSON lines (for collectors), or pino-pretty text (for people at a terminal). */
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Paths not worth an access log line (probes, scrapes, long-lived streams). */
const QUIET = /^\/(health|metrics|api\/live)|\/events(\?|$)/;

/** Nest's start-up chatter (modules loaded, every route mapped): debug, so the useful lines stand out. */
const BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * The options of nestjs-pino: request lines at debug level (errors at
 * error, client errors at warn), authorization and cookies redacted, and
 * for `pretty` a pino-pretty stream (one short line per entry).
 */
export function loggerParams(level: string, format: LogFormat): Params {
  const options: Options = {
    level,
    autoLogging: { ignore: (req: IncomingMessage) => QUIET.test(req.url ?? '') },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
  };
  if (format === 'json') return { pinoHttp: options };
  const stream = pretty({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true });
  return { pinoHttp: [options, stream] };
}

/**
 * `logger`, with Nest's start-up messages moved to debug (see
 * {@link BOOT_CONTEXTS}); everything else as is.
 */
export function quietBoot(logger: LoggerService): LoggerService {
  const last = (params: unknown[]): unknown => params[params.length - 1];
  return {
    log: (message: unknown, ...params: unknown[]) =>
      BOOT_CONTEXTS.has(last(params) as string) && logger.debug
        ? logger.debug(message, ...params)
        : logger.log(message, ...params),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}
