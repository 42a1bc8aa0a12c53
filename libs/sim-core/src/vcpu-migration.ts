import { fail } from './assert';
import { F_DST, F_SRC, Msg, MIGRATE_CHUNK } from './message';
import { MF } from './message.schema';
import type { VcpuActor } from './vcpu.actor';

const MIGRATE = MF[Msg.VcpuMigrate];

/**
 * Sends a vCPU's state to the VP it runs on from the next window, as
 * {@link Msg.VcpuMigrate} chunks due at the window boundary `atNs`. The
 * receiving shard rebuilds the actor before the window runs.
 */
export function sendMigration(v: VcpuActor, atNs: number): void {
  const nums = v.migrationState();
  const chunks = Math.ceil(nums.length / MIGRATE_CHUNK);
  for (let c = 0; c < chunks; c++) {
    const w = nums.slice(c * MIGRATE_CHUNK, (c + 1) * MIGRATE_CHUNK);
    while (w.length < MIGRATE_CHUNK) w.push(0);
    v.emit(atNs, v.id, Msg.VcpuMigrate, c, chunks, w[0], w[1], w[2], w[3], w[4]);
  }
}

/**
 * Reassembles the states of the vCPUs arriving in this window from their
 * chunks (offsets sorted by time, src, seq: a vCPU's chunks in order).
 * @returns [vCPU id, snapshot-shaped state] in id order
 */
export function collectMigrations(
  buf: Float64Array,
  offsets: readonly number[],
  endNs: number,
): [number, Record<string, unknown>][] {
  const byId = new Map<number, number[]>();
  for (const o of offsets) {
    if (buf[o] >= endNs) continue;
    const id = buf[o + F_DST];
    if (buf[o + F_SRC] !== id) fail(`migration chunk for vcpu ${id} sent by ${buf[o + F_SRC]}`);
    let nums = byId.get(id);
    if (!nums) byId.set(id, (nums = []));
    const chunk = buf[o + MIGRATE.chunk];
    if (chunk * MIGRATE_CHUNK !== nums.length) fail(`migration of vcpu ${id}: chunk ${chunk} out of order`);
    for (let i = 0; i < MIGRATE_CHUNK; i++) nums.push(buf[o + MIGRATE.w0 + i]); // w0..w4 are consecutive
  }
  return [...byId.entries()].sort((a, b) => a[0] - b[0]).map(([id, nums]) => [id, { migrated: nums }]);
}
