#!/usr/bin/env node
/**
 * Health check of a tlbsim container, for docker-compose `healthcheck` and
 * Kubernetes exec probes (the slim image has neither curl nor wget).
 *
 *   node deploy/healthcheck.js coordinator [--url http://127.0.0.1:3000/health]
 *     healthy when the coordinator's /health answers 200 (Redis answers PING).
 *
 *   node deploy/healthcheck.js worker [--redis <url>] [--prefix tlbsim] [--max-age-ms 5000]
 *     healthy when a worker registered from this host (os.hostname(): the
 *     container id under Docker, the pod name under Kubernetes) heartbeat in
 *     Redis within max-age. `tlbsim worker` has no HTTP endpoint; its
 *     registration (`<prefix>:workers` sorted set + `<prefix>:worker:<id>`
 *     records, heartbeat every second) is the only liveness signal it gives.
 *     Redis URL: --redis, else $TLBSIM_REDIS_URL, else $REDIS_URL.
 *
 * Exit 0 healthy, 1 unhealthy; one line on stdout/stderr saying why. Gives
 * up after 4 s, so a hung Redis or coordinator never hangs the probe.
 */
'use strict';
const { hostname } = require('os');

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

function done(ok, message) {
  (ok ? process.stdout : process.stderr).write(`${ok ? 'healthy' : 'unhealthy'}: ${message}\n`);
  process.exit(ok ? 0 : 1);
}

async function coordinator(args) {
  const url = option(args, '--url', 'http://127.0.0.1:3000/health');
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  const body = await res.text();
  done(res.status === 200, `GET ${url} -> ${res.status} ${body.slice(0, 200)}`);
}

async function worker(args) {
  const url = option(args, '--redis', process.env.TLBSIM_REDIS_URL || process.env.REDIS_URL);
  if (!url) return done(false, 'no --redis, $TLBSIM_REDIS_URL or $REDIS_URL');
  const prefix = option(args, '--prefix', process.env.TLBSIM_PREFIX || 'tlbsim');
  const maxAgeMs = Number(option(args, '--max-age-ms', '5000'));
  const host = option(args, '--host', hostname());
  const Redis = require('ioredis');
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  try {
    await redis.connect();
    const ids = await redis.zrangebyscore(`${prefix}:workers`, Date.now() - maxAgeMs, '+inf');
    const records = ids.length ? await redis.mget(...ids.map((id) => `${prefix}:worker:${id}`)) : [];
    const mine = records.filter(Boolean).map((r) => JSON.parse(r)).filter((w) => w.host === host);
    done(mine.length > 0, mine.length > 0
      ? `worker ${mine.map((w) => `${w.id} (capacity ${w.capacity}, busy ${w.busy})`).join(', ')}`
      : `no worker of host ${host} heartbeat within ${maxAgeMs} ms (${ids.length} live workers in all)`);
  } finally {
    redis.disconnect();
  }
}

const [role, ...rest] = process.argv.slice(2);
setTimeout(() => done(false, `${role}: no answer within 4 s`), 4000).unref();
const run = role === 'coordinator' ? coordinator : role === 'worker' ? worker : null;
if (!run) done(false, 'usage: healthcheck.js coordinator|worker [options]');
else run(rest).catch((error) => done(false, `${role}: ${error && error.message ? error.message : String(error)}`));
