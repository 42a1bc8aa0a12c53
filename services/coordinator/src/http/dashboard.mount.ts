import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import express from 'express';
import { existsSync } from 'fs';
import { join, resolve } from 'path';

/** The bundled files of the dashboard. */
export const DASHBOARD_FILES = ['index.html', 'app.js', 'app.css'];

/**
 * Builds the dashboard bundle into `dir` when it is missing and esbuild is
 * installed (a development checkout that ran only `tsc -b`). Production
 * images ship the bundle built by `npm run build:dashboard`.
 */
function ensureBundle(dir: string, logger: Logger): boolean {
  if (existsSync(join(dir, 'index.html'))) return true;
  const script = resolve(__dirname, '..', '..', 'scripts', 'build-dashboard.js');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(script) as { buildDashboardSync(outDir: string): void }).buildDashboardSync(dir);
    logger.warn(`dashboard bundle was missing; built it into ${dir}`);
    return true;
  } catch (error) {
    logger.error(
      `no dashboard bundle in ${dir} (run npm run build:dashboard -w @tlbsim/coordinator): ${String(error)}`,
    );
    return false;
  }
}

/** Serves the bundled dashboard at `/` (hash routes, so one index.html serves every page). */
export function mountDashboard(app: INestApplication, dir: string): void {
  const logger = new Logger('Dashboard');
  if (!ensureBundle(dir, logger)) {
    app.use('/', (req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (req.method !== 'GET' || req.path !== '/') return next();
      res
        .status(503)
        .type('text/plain')
        .send('tlbsim dashboard not built: run `npm run build:dashboard -w @tlbsim/coordinator`\n');
    });
    return;
  }
  app.use(express.static(dir, { index: 'index.html', maxAge: 0, fallthrough: true }));
}
