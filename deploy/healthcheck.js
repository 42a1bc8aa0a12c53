#!/usr/bin/env node
/**
 * Health check of a tlbsim container, for docker-compose `healthcheck` and
 * Kubernetes exec probes (the slim image has neither curl nor wget).
 *
 *   node deploy/healthcheck.js coordinator [--url http://127.0.0.1:3000/health]
 *     healthy when the coordinator's /health answers 200 (Redis answers PING).
 *
 *   node deploy/healthcheck.js worker [--redis <url> | --redis-cluster <nodes>] [--prefix tlbsim] [--max-age-ms 5000]
 *     healthy when a worker registered from this host (os.hostname(): the
 *     container id under Docker, the pod name under Kubernetes) heartbeat in
 *     Redis within max-age. `tlbsim worker` has no HTTP endpoint; its
 *     registration (`<prefix>:workers` sorted set + `<prefix>:worker:<id>`
 *     records, heartbeat every second) is the only liveness signal it gives.
 *     Redis: --redis-cluster or --redis, else $REDIS_CLUSTER_NODES, else
 *     $TLBSIM_REDIS_URL or $REDIS_URL. On a Redis Cluster (host:port,... or a
 *     redis-cluster:// / rediss-cluster:// URL) the keys carry the hash tag
 *     `{<prefix>}` (libs/jobs `globalPrefixOf`).
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

/** A Redis Cluster client on `nodes` (host:port,... or a redis-cluster:// / rediss-cluster:// URL), no retries. */
function clusterClient(Redis, nodes) {
  const tls = nodes.startsWith('rediss-cluster://');
  let rest = nodes.replace(/^rediss?-cluster:\/\//, '');
  let username;
  let password;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth) || undefined;
    password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) : undefined;
  }
  const seeds = rest
    .split(',')
    .filter(Boolean)
    .map((n) => ({
      host: n.slice(0, n.lastIndexOf(':')).replace(/^\[|\]$/g, ''),
      port: Number(n.slice(n.lastIndexOf(':') + 1)),
    }));
  return new Redis.Cluster(seeds, {
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: () => null,
    maxRedirections: 2,
    redisOptions: { username, password, connectTimeout: 2000, maxRetriesPerRequest: 0, ...(tls ? { tls: {} } : {}) },
  });
}

async function worker(args) {
  const nodes = option(
    args,
    '--redis-cluster',
    option(args, '--redis', null) ? undefined : process.env.REDIS_CLUSTER_NODES,
  );
  const url = option(args, '--redis', process.env.TLBSIM_REDIS_URL || process.env.REDIS_URL);
  if (!nodes && !url)
    return done(false, 'no --redis, --redis-cluster, $REDIS_CLUSTER_NODES, $TLBSIM_REDIS_URL or $REDIS_URL');
  const prefix = option(args, '--prefix', process.env.TLBSIM_PREFIX || 'tlbsim');
  const base = nodes ? `{${prefix}}` : prefix;
  const maxAgeMs = Number(option(args, '--max-age-ms', '5000'));
  const host = option(args, '--host', hostname());
  const Redis = require('ioredis');
  const redis = nodes
    ? clusterClient(Redis, nodes)
    : new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
  redis.on('error', () => undefined); // the rejected command says why
  try {
    await redis.connect();
    const ids = await redis.zrangebyscore(`${base}:workers`, Date.now() - maxAgeMs, '+inf');
    const records = ids.length ? await redis.mget(...ids.map((id) => `${base}:worker:${id}`)) : [];
    const mine = records
      .filter(Boolean)
      .map((r) => JSON.parse(r))
      .filter((w) => w.host === host);
    done(
      mine.length > 0,
      mine.length > 0
        ? `worker ${mine.map((w) => `${w.id} (capacity ${w.capacity}, busy ${w.busy})`).join(', ')}`
        : `no worker of host ${host} heartbeat within ${maxAgeMs} ms (${ids.length} live workers in all)`,
    );
  } finally {
    redis.disconnect();
  }
}

const [role, ...rest] = process.argv.slice(2);
setTimeout(() => done(false, `${role}: no answer within 4 s`), 4000).unref();
const run = role === 'coordinator' ? coordinator : role === 'worker' ? worker : null;
if (!run) done(false, 'usage: healthcheck.js coordinator|worker [options]');
else run(rest).catch((error) => done(false, `${role}: ${error && error.message ? error.message : String(error)}`));
