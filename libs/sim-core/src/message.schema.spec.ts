import { kernelChecks } from './assert';
import { KernelAssertionError } from './kernel-assertion.error';
import { F_P0, F_TYPE, Msg, MSG_WIDTH, Outbox } from './message';
import { checkMessage, decodeMessage, MESSAGES, MF } from './message.schema';
import { Actor } from './shard-context';
import { ShardSim } from './shard';
import { smallConfig } from './testing/sim-config.fixture';

/** Every record a one-shard run sends (as its outbox receives them), with the debug checks on. */
function runAndCollect(seed: number): Float64Array[] {
  const cfg = smallConfig({
    seed,
    fleet: { vmsPerHost: 2, vcpusPerVm: 2 },
    workload: {
      accessesPerVcpu: 3000,
      cr3SwitchesPerMillionAccesses: 2000,
      invlpgPerMillionAccesses: 1000,
      l3TimePercent: 20,
    },
    events: {
      memslotUpdatesPerSec: 200000,
      mmuNotifierInvalidationsPerSec: 200000,
      nestedTransitionsPerSec: 100000,
      smiPerSec: 20000,
      memslotDeletesPerSec: 50000,
    },
  });
  const shard = new ShardSim(cfg, 0, 1);
  // A one-shard run keeps its messages (none leave the shard): read them as they are sent.
  const sent: number[] = [];
  const push = Outbox.prototype.push;
  const spy = jest.spyOn(Outbox.prototype, 'push').mockImplementation(function (
    this: Outbox,
    ...args: Parameters<Outbox['push']>
  ) {
    push.apply(this, args);
    const b = this.buf;
    const o = (this.count - 1) * MSG_WIDTH;
    for (let i = 0; i < MSG_WIDTH; i++) sent.push(b[o + i]);
  });
  try {
    let inbound: Float64Array[] = [];
    for (let w = 0; w < 100000; w++) {
      const out = shard.runWindow(inbound);
      inbound = [...out.outbound.values()];
      if (out.done) return [Float64Array.from(sent)];
    }
  } finally {
    spy.mockRestore();
  }
  throw new Error(`seed ${seed}: the run did not finish`);
}

describe('message declarations (message.schema.ts)', () => {
  it('declare every message type with at most 7 words and unique names', () => {
    const types = Object.values(Msg).filter((v): v is Msg => typeof v === 'number');
    expect(
      Object.keys(MESSAGES)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(types.sort((a, b) => a - b));
    for (const t of types) {
      const names = MESSAGES[t].fields.filter((f) => f !== null).map((f) => f!.name);
      expect(MESSAGES[t].fields.length).toBeLessThanOrEqual(MSG_WIDTH - F_P0);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('every message of a run with every event kind passes its range check and decodes by name', () => {
    expect(kernelChecks.enabled).toBe(true); // the jest setup turns it on: the run above checked each send
    for (const seed of [1, 2]) {
      const sent = runAndCollect(seed);
      const seen = new Set<string>();
      for (const b of sent) {
        for (let o = 0; o < b.length; o += MSG_WIDTH) {
          expect([seed, o, checkMessage(b, o)]).toEqual([seed, o, null]);
          seen.add(decodeMessage(b, o).type);
        }
      }
      for (const t of [
        'Request',
        'RootAcquire',
        'RootGrant',
        'RootPut',
        'HvFlush',
        'HvFlushApply',
        'HvFlushDone',
        'Remap',
        'Report',
        'NestedFill',
        'PgdSwitch',
      ]) {
        expect([seed, t, seen.has(t)]).toEqual([seed, t, true]);
      }
    }
  });

  it('a record outside its declaration is named by message, field, unit and range', () => {
    const out = new Outbox(1);
    out.push(10, 1, 1, 2, Msg.RootAcquire, 5);
    expect(checkMessage(out.buf, 0)).toMatch(
      /^RootAcquire\.role \(kvm_mmu_page_role.*\) is 5, not in integers \[0, 2\]$/,
    );
    out.clear();
    out.push(10, 1, 1, 2, Msg.RootPut, 3, 0, 9);
    expect(checkMessage(out.buf, 0)).toBe('RootPut: unused word p2 is 9');
    out.clear();
    out.push(10, 1, 1, 2, Msg.NestedFill, 1, 2.5, 3, 4, 5);
    expect(checkMessage(out.buf, 0)).toMatch(/^NestedFill\.gpa \(page\) is 2.5/);
    out.buf[F_TYPE] = 99;
    expect(checkMessage(out.buf, 0)).toBe('unknown message type 99');
  });

  it('named offsets match the positions words are written at', () => {
    const out = new Outbox(1);
    out.push(0, 1, 1, 2, Msg.Report, 11, 12, 13, 14, 15, 16, -1);
    const d = decodeMessage(out.buf, 0);
    expect(d.fields).toEqual({ flags: 11, gpa: 12, hpa: 13, entryInc: 14, fillUs: 15, curInc: 16, gva: -1 });
    expect(out.buf[MF[Msg.Report].gva]).toBe(-1);
    expect(MF[Msg.Request].ackId).toBe(F_P0 + 6);
  });

  it('an actor sending a word out of range stops the run with a kernel assertion (debug checks on)', () => {
    class Probe extends Actor {
      run(): void {
        this.send(5000, 0, Msg.RootAcquire, 7);
      }
      save(): Record<string, unknown> {
        return {};
      }
      load(): void {}
      wrongArity(): void {
        // @ts-expect-error RootAcquire has one word: the payload's arity is checked at compile time
        this.send(5000, 0, Msg.RootAcquire, 1, 2);
      }
    }
    const ctx = new ShardSim(smallConfig(), 0, 1)['ctx'];
    expect(() => new Probe(99, ctx).run()).toThrow(KernelAssertionError);
    expect(() => new Probe(99, ctx).run()).toThrow(/actor 99 sent RootAcquire\.role/);
  });
});
