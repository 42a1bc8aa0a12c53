#!/usr/bin/env node
/**
 * Copies libs/jobs/src/lua/*.lua to libs/jobs/dist/lua/ after `tsc -b`
 * (tsc copies no other files): the built library, and the container image
 * that ships only dist/, load the scripts from there (libs/jobs lua.loader.ts).
 */
const { cpSync, mkdirSync, readdirSync } = require('fs');
const { join } = require('path');

const src = join(__dirname, '..', 'libs', 'jobs', 'src', 'lua');
const dst = join(__dirname, '..', 'libs', 'jobs', 'dist', 'lua');
mkdirSync(dst, { recursive: true });
const files = readdirSync(src).filter((f) => f.endsWith('.lua'));
for (const f of files) cpSync(join(src, f), join(dst, f));
process.stdout.write(`copy-lua: ${files.length} scripts to libs/jobs/dist/lua\n`);
