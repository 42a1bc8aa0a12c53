import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { AppViewRoute } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';
import { dirname } from 'path';
import { tokenMiddleware } from '../common/api-token.guard';

/** Base path of the queue admin UI. */
export const QUEUES_PATH = '/queues';

/**
 * The fonts bull-board's page asks a font CDN for, served from their npm
 * packages instead (`/queues/fonts/<package>/<weight>.css`): the package,
 * and the weights the page uses.
 */
export const QUEUES_FONTS: readonly { pkg: string; weights: readonly number[] }[] = [
  { pkg: 'ibm-plex-sans', weights: [400, 500, 600] },
  { pkg: 'ibm-plex-mono', weights: [400, 500] },
];

/**
 * bull-board's page with every stylesheet and script from this server: the
 * `<link>`s to other origins (its font CDN) removed, and the same fonts
 * linked from `fonts/` (relative to the page's `<base>`, the queues path).
 */
export function localizeQueuesPage(html: string): string {
  const links = QUEUES_FONTS.flatMap(({ pkg, weights }) =>
    weights.map((w) => `<link href="fonts/${pkg}/${w}.css" rel="stylesheet">`),
  );
  return html
    .replace(/<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>\s*/gi, '')
    .replace('</head>', `${links.join('')}</head>`);
}

/** bull-board's Express adapter whose entry page loads nothing from another origin ({@link localizeQueuesPage}). */
class LocalQueuesAdapter extends ExpressAdapter {
  override setEntryRoute(routeDef: AppViewRoute): ExpressAdapter {
    const view = (_req: express.Request, res: express.Response, next: express.NextFunction): void => {
      const { name, params } = routeDef.handler({ basePath: this.basePath, uiConfig: this.uiConfig });
      res.render(name, params, (err: Error | null, html: string) =>
        err ? next(err) : res.type('html').send(localizeQueuesPage(html)),
      );
    };
    // bull-board's entry route is a GET (of the UI's client-side routes).
    this.app.get(routeDef.route, view);
    return this;
  }
}

/** Serves each font package's CSS and files at `fonts/<package>/` of the queues path. */
function fontsRouter(): express.Router {
  const router = express.Router();
  for (const { pkg } of QUEUES_FONTS) {
    const dir = dirname(require.resolve(`@fontsource/${pkg}/package.json`));
    router.use(`/fonts/${pkg}`, express.static(dir, { index: false, fallthrough: false, maxAge: '1d' }));
  }
  return router;
}

/**
 * Mounts bull-board at `/queues` over `queues`, behind the API token when one
 * is set (Bearer, or a Basic password so a browser can log in). Its page
 * loads everything from this server (no font CDN).
 */
export function mountQueues(app: INestApplication, queues: readonly Queue[], token: string | undefined): void {
  const serverAdapter = new LocalQueuesAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q as never)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'tlbsim queues' } },
  });
  app.use(QUEUES_PATH, tokenMiddleware(token), fontsRouter(), serverAdapter.getRouter());
}
