import { ROLE_NORMAL, ROLE_SMM } from './message';
import { RootRecord, TdpMmu } from './tdp-mmu';

function root(inc: number, gen: number, refcount = 1, role = ROLE_NORMAL): RootRecord {
  return {
    inc,
    vm: 0,
    role,
    page: 100 + inc,
    gen,
    valid: true,
    refcount,
    allocNs: 0,
    invalidNs: -1,
    freeNs: -1,
    prevInc: 0,
    pendingOp: 0,
    used: false,
  };
}

describe('TdpMmu', () => {
  it('maps the pre-faulted footprint from its first host page', () => {
    const m = new TdpMmu(4, 40);
    expect(Array.from(m.map)).toEqual([40, 41, 42, 43]);
  });

  it('shares a valid root of the current generation with a live reference', () => {
    const m = new TdpMmu(1, 0);
    const r = root(1, 0);
    m.roots.push(r);
    expect(m.findReusable(ROLE_NORMAL)).toBe(r);
    expect(m.findReusable(ROLE_SMM)).toBeUndefined(); // roots are per role
    r.refcount = 0; // inc-not-zero fails: a dying root is never handed out
    expect(m.findReusable(ROLE_NORMAL)).toBeUndefined();
  });

  it('fast zap bumps the generation and invalidates every root', () => {
    const m = new TdpMmu(1, 0);
    const a = root(1, 0);
    const b = root(2, 0, 3);
    m.roots.push(a, b);
    const hit = m.zapAllFast(500);
    expect(m.gen).toBe(1);
    expect(hit).toEqual([a, b]);
    expect(a.valid || b.valid).toBe(false);
    expect(a.invalidNs).toBe(500);
    expect(m.findReusable(ROLE_NORMAL)).toBeUndefined();
    m.unlink(a);
    expect(m.roots).toEqual([b]);
  });
});
