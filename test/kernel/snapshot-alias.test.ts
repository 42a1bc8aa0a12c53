import { ShardSim, ShardSnapshot } from '@tlbsim/sim-core';
import { decodeSnapshot, emptyTransportStats, encodeSnapshot } from '@tlbsim/jobs';
import { rootReuseSmall } from '../support/scenario.fixture';
import { plain } from '../../libs/jobs/src/testing/snapshot-plain';

/** Windows run before the snapshot and after it. */
const WINDOWS = 12;

/** Every typed array under `v` (objects, arrays, Maps). */
function typedArrays(v: unknown, out: ArrayBufferView[] = []): ArrayBufferView[] {
  if (ArrayBuffer.isView(v)) out.push(v);
  else if (v instanceof Map) for (const [k, x] of v) typedArrays([k, x], out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) typedArrays(x, out);
  return out;
}

const textOf = (s: ShardSnapshot): string => JSON.stringify(plain(s));

function runWindows(s: ShardSim, n: number): ShardSim {
  for (let i = 0; i < n; i++) s.runWindow([]);
  return s;
}

/**
 * `snapshot({ alias: true })` hands out the shard's live typed arrays for an
 * encoding made at once (the distributed path); `snapshot()` keeps copying
 * for the callers that keep what it returns.
 */
describe('snapshot aliasing the live arrays', () => {
  const cfg = rootReuseSmall(['seed=5']);

  it('encoded at once and then run on, restores as a copying snapshot of the same point does', () => {
    const sim = runWindows(new ShardSim(cfg, 0, 1), WINDOWS);
    const copy = sim.snapshot();
    const view = sim.snapshot({ alias: true });
    const encoded = encodeSnapshot({ sim: view, stats: emptyTransportStats() });
    expect(textOf(view) === textOf(copy)).toBe(true);
    runWindows(sim, WINDOWS);
    // The view was live: the shard's run changed it; the encoding kept the point it was taken at.
    expect(textOf(view) === textOf(copy)).toBe(false);
    const decoded = decodeSnapshot(encoded).sim;
    expect(textOf(decoded) === textOf(copy)).toBe(true);
    const fromView = runWindows(ShardSim.restore(cfg, decoded), WINDOWS);
    const fromCopy = runWindows(ShardSim.restore(cfg, copy), WINDOWS);
    // Compared as booleans: a failure would print the whole state.
    expect(textOf(fromView.snapshot()) === textOf(fromCopy.snapshot())).toBe(true);
    // The results match the shard run on; not every word of state does (a restored shard's TLB LRU clocks
    // and stamps count differently, as with any restore).
    expect(fromView.partial()).toEqual(sim.partial());
  });

  it('without the option, no typed array of the snapshot shares memory with the shard', () => {
    const sim = runWindows(new ShardSim(cfg, 0, 1), WINDOWS);
    const live = new Set(typedArrays(sim.snapshot({ alias: true })).map((a) => a.buffer));
    const copied = typedArrays(sim.snapshot());
    // The TLBs, partition caches, VM views, MMU maps and allocator tables: a few hundred arrays.
    expect(live.size).toBeGreaterThan(10);
    expect(copied.length).toBeGreaterThan(10);
    expect(copied.filter((a) => live.has(a.buffer))).toEqual([]);
    const kept = sim.snapshot();
    const before = textOf(kept);
    runWindows(sim, WINDOWS);
    expect(textOf(kept) === before).toBe(true);
    expect(textOf(sim.snapshot()) === before).toBe(false);
  });
});
