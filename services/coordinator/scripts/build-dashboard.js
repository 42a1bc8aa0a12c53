#!/usr/bin/env node
/**
 * Bundles the dashboard (dashboard/src/main.ts, chart.js included) with
 * esbuild into dist/dashboard/{index.html,app.js,app.css}. Run by
 * `npm run build:dashboard -w @tlbsim/coordinator`; the coordinator serves
 * that directory at `/`. Nothing is loaded from a CDN.
 */
'use strict';
const { copyFileSync, mkdirSync } = require('fs');
const { join, resolve } = require('path');

const ROOT = resolve(__dirname, '..');
const DEFAULT_OUT = join(ROOT, 'dist', 'dashboard');

/** esbuild options for the bundle written into `outDir`. */
function options(outDir) {
  return {
    entryPoints: [join(ROOT, 'dashboard', 'src', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    legalComments: 'linked',
    logLevel: 'warning',
  };
}

function copyStatic(outDir) {
  for (const file of ['index.html', 'app.css']) copyFileSync(join(ROOT, 'dashboard', file), join(outDir, file));
}

/** Builds the bundle synchronously (the coordinator's fallback when dist/dashboard is missing). */
function buildDashboardSync(outDir = DEFAULT_OUT) {
  const esbuild = require('esbuild');
  mkdirSync(outDir, { recursive: true });
  esbuild.buildSync(options(outDir));
  copyStatic(outDir);
}

module.exports = { buildDashboardSync };

if (require.main === module) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT;
  buildDashboardSync(outDir);
  process.stdout.write(`dashboard bundled into ${outDir}\n`);
}
