import { Command } from 'commander';
import { ENVIRONMENT_VARIABLES, envText } from '@tlbsim/contracts';
import { join } from 'path';
import type { CliContext } from '../cli.context';
import type { LogFormat } from '@tlbsim/coordinator';
import { EXIT } from '../exit-codes';
import { choiceOption } from '../option.parsers';
import { findOnPath, listenError, LocalProcess, startLocalRedis, startLocalWorkers } from '../local-cluster';
import { LOCAL_WORKER_GRACE_MS, SERVE_SHUTDOWN_MS, stopWithin, untilStopRequested } from '../shutdown.util';
import { defaultPrefix, REDIS_CLUSTER_HELP, redisArgsOf, resolveRedisBeforeAction } from './redis.options';
import { WORKER_OPTION_LIMITS } from './worker.command';

/** Options of `tlbsim serve`. */
export interface ServeOptions {
  port: string;
  host: string;
  /** `--redis`, or the cluster of `--redis-cluster` / the environment (resolved before the action). */
  redis?: string;
  redisCluster?: string;
  prefix: string;
  workers: string;
  workerConcurrency: string;
  retentionSec?: string;
  /** `--log-format auto|pretty|json`. @defaultValue `$TLBSIM_LOG_FORMAT` or `auto` */
  logFormat: string;
}

/** `--log-format` values: `auto` is `pretty` on a terminal, else `json` (the coordinator's formats, checked by the compiler). */
const LOG_FORMAT_CHOICES = ['auto', 'pretty', 'json'] as const satisfies readonly (LogFormat | 'auto')[];

/** The coordinator's log format for `--log-format` (pino-pretty only when standard output is a terminal, unless asked). */
function logFormatOf(value: string): LogFormat {
  const choice = choiceOption('--log-format', value, LOG_FORMAT_CHOICES);
  if (choice !== 'auto') return choice;
  return process.stdout.isTTY ? 'pretty' : 'json';
}

function nonNegativeInt(name: string, value: string, min = 0, max = 65535): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name}: expected an integer ${min}..${max}, got ${value}`);
  return n;
}

/** The Redis to use: `--redis`, `--redis-cluster`, `$TLBSIM_REDIS_URL`, `$REDIS_URL`, `$REDIS_CLUSTER_NODES` (resolved by the hook), else a private redis-server (null if none on PATH). */
async function redisFor(ctx: CliContext, options: ServeOptions, owned: LocalProcess[]): Promise<string | null> {
  if (options.redis) return options.redis;
  const server = findOnPath('redis-server');
  if (!server) {
    ctx.io.err(
      'tlbsim serve: no --redis, no $REDIS_URL, and no redis-server on PATH.\n' +
        '  Install Redis (e.g. apt-get install redis-server) to let serve start a private one,\n' +
        '  or point it at yours, for example: tlbsim serve --redis redis://host:6379\n',
    );
    return null;
  }
  const redis = await startLocalRedis(server);
  owned.push(redis);
  ctx.io.err(`tlbsim serve: started a private redis-server at ${redis.url} (stopped on exit)\n`);
  return redis.url;
}

/** The one line for an error of listening on `port`, or null if it is not one. */
function listenProblem(error: unknown, port: number): string | null {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is in use`;
  if (code === 'EACCES') return `port ${port}: permission denied`;
  if (code === 'EADDRNOTAVAIL') return `address not available for port ${port}`;
  return null;
}

/** The action of `tlbsim serve`: runs until SIGINT/SIGTERM, then stops everything it started. */
export async function serveAction(ctx: CliContext, options: ServeOptions): Promise<number> {
  let port: number, workers: number, concurrency: number, retentionSec: number | undefined, logFormat: LogFormat;
  try {
    logFormat = logFormatOf(options.logFormat);
    port = nonNegativeInt('--port', options.port);
    workers = nonNegativeInt('--workers', options.workers, 0, 256);
    const { concurrency: c, retentionSec: r } = WORKER_OPTION_LIMITS;
    concurrency = nonNegativeInt('--worker-concurrency', options.workerConcurrency, c.min, c.max);
    retentionSec =
      options.retentionSec === undefined
        ? undefined
        : nonNegativeInt('--retention-sec', options.retentionSec, r.min, r.max);
  } catch (error) {
    ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  const busy = port === 0 ? null : listenProblem(await listenError(port, options.host), port);
  if (busy) {
    ctx.io.err(`tlbsim serve: ${busy}\n`);
    return EXIT.BAD_INPUT;
  }
  const owned: LocalProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const p of [...owned].reverse()) await p.stop().catch(() => undefined);
  };
  try {
    const redisUrl = await redisFor(ctx, options, owned);
    if (!redisUrl) return EXIT.BAD_INPUT;
    // Loaded on demand: NestJS is not needed by the other commands.
    const { startCoordinator } = await import('@tlbsim/coordinator');
    let coordinator;
    try {
      coordinator = await startCoordinator({
        port,
        host: options.host,
        redisUrl,
        prefix: options.prefix,
        retentionSec,
        logFormat,
      });
    } catch (error) {
      // Taken between the check above and the listen.
      const problem = listenProblem(error, port);
      if (!problem) throw error;
      ctx.io.err(`tlbsim serve: ${problem}\n`);
      return EXIT.BAD_INPUT;
    }
    const workerArgs = [...redisArgsOf(redisUrl), '--prefix', options.prefix, '--concurrency', String(concurrency)];
    if (retentionSec !== undefined) workerArgs.push('--retention-sec', String(retentionSec));
    let stopping = false;
    const local = startLocalWorkers(workers, join(__dirname, '..', 'main.js'), workerArgs, (i, code) => {
      if (!stopping) ctx.io.err(`tlbsim serve: worker ${i} exited with ${code}\n`);
    });
    owned.push(...local);
    ctx.io.out(
      `tlbsim serve: listening on ${coordinator.url} (dashboard /, API /api, docs /api/docs, queues /queues); ${workers} local worker${workers === 1 ? '' : 's'}\n`,
    );
    const signal = await untilStopRequested();
    stopping = true;
    ctx.io.err(`tlbsim serve: ${signal}, stopping\n`);
    await stopWithin(
      async () => {
        await Promise.all([...local.map((w) => w.stop(LOCAL_WORKER_GRACE_MS)), coordinator.close()]);
        await stopAll();
      },
      {
        deadlineMs: SERVE_SHUTDOWN_MS,
        exitCode: EXIT.RUN_FAILED,
        late: (why) => {
          ctx.io.err(`tlbsim serve: ${why}; killing what it started and exiting\n`);
          for (const p of owned) p.child.kill('SIGKILL');
        },
      },
    );
    return EXIT.OK;
  } finally {
    await stopAll();
  }
}

/** `tlbsim serve`: the coordinator (HTTP API + dashboard), optionally with local workers and a private Redis. */
export function serveCommand(ctx: CliContext): Command {
  const command = new Command('serve')
    .description('start the coordinator: HTTP API, live dashboard, queue admin (stop with SIGINT/SIGTERM)')
    .option('--port <n>', 'HTTP port (0: any free port)', '3000')
    .option('--host <addr>', 'address to listen on', '0.0.0.0')
    .option('--redis <url>', 'Redis URL (default $TLBSIM_REDIS_URL or $REDIS_URL; none: start a private redis-server)')
    .option('--redis-cluster <nodes>', REDIS_CLUSTER_HELP)
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX or tlbsim)', defaultPrefix())
    .option('--workers <n>', 'also start N local worker processes', '0')
    .option(
      '--retention-sec <s>',
      "seconds finished jobs' records are kept, for the coordinator and its local workers (default $TLBSIM_RETENTION_SEC or 3600)",
      envText(process.env, 'TLBSIM_RETENTION_SEC'),
    )
    .option(
      '--log-format <format>',
      'logs as pino-pretty text (pretty) or JSON lines (json); auto: pretty on a terminal, else json (default $TLBSIM_LOG_FORMAT or auto)',
      envText(process.env, 'TLBSIM_LOG_FORMAT'),
    )
    .option(
      '--worker-concurrency <n>',
      'shards each local worker runs at once (default $TLBSIM_WORKER_CONCURRENCY or 1)',
      envText(process.env, 'TLBSIM_WORKER_CONCURRENCY'),
    )
    .addHelpText(
      'after',
      `\nEnvironment (docs/environment.md): ${ENVIRONMENT_VARIABLES.filter((v) => v.processes.includes('serve'))
        .map((v) => v.name)
        .join(', ')}.`,
    )
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} stopped by SIGINT/SIGTERM, ${EXIT.BAD_INPUT} bad input or the port is in use, ${EXIT.RUN_FAILED} failed to start.`,
    )
    .action(async (options: ServeOptions) => ctx.setExitCode(await serveAction(ctx, options)));
  return resolveRedisBeforeAction(command, false);
}
