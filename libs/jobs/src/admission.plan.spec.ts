import { planAdmission, WaitingJob } from './admission.plan';

const job = (id: string, t: number, shards: number, minShards = shards): WaitingJob => ({
  id,
  createdAtMs: t,
  shards,
  minShards,
});

describe('planAdmission', () => {
  it('admits in FIFO order while jobs fit', () => {
    expect(planAdmission([job('a', 1, 2), job('b', 2, 1)], [], 3)).toEqual({
      admit: [
        { id: 'a', shards: 2 },
        { id: 'b', shards: 1 },
      ],
      waiting: [],
    });
  });

  it('backfills a small job into slots the waiting big job can never use', () => {
    // 3 slots, 'r' (older) holds 2; big needs 2 (1 free): the small one fits in capacity - 2 = 1.
    const plan = planAdmission([job('big', 5, 2), job('small', 6, 1)], [{ id: 'r', createdAtMs: 1, slots: 2 }], 3);
    expect(plan).toEqual({ admit: [{ id: 'small', shards: 1 }], waiting: [{ id: 'big', needed: 2 }] });
  });

  it('does not backfill into slots the waiting job needs once the workers can hold it', () => {
    // 4 slots, 'r' holds 2, big needs 4: a later job would hold a slot big needs.
    const plan = planAdmission([job('big', 5, 4), job('small', 6, 1)], [{ id: 'r', createdAtMs: 1, slots: 2 }], 4);
    expect(plan).toEqual({
      admit: [],
      waiting: [
        { id: 'big', needed: 4 },
        { id: 'small', needed: 1 },
      ],
    });
    // Younger jobs already running count against the bound.
    const later = planAdmission(
      [job('big', 5, 2), job('small', 7, 1)],
      [
        { id: 'r', createdAtMs: 1, slots: 1 },
        { id: 'y', createdAtMs: 6, slots: 1 },
      ],
      3,
    );
    expect(later.admit).toEqual([]);
  });

  it('backfills anything that fits while the waiting job is bigger than every live worker together', () => {
    const plan = planAdmission([job('big', 5, 4), job('s1', 6, 1), job('s2', 7, 1)], [], 2);
    expect(plan).toEqual({
      admit: [
        { id: 's1', shards: 1 },
        { id: 's2', shards: 1 },
      ],
      waiting: [{ id: 'big', needed: 4 }],
    });
  });

  it('starts a job with what is free when that is at least its minShards', () => {
    expect(planAdmission([job('a', 1, 4, 2)], [], 3)).toEqual({ admit: [{ id: 'a', shards: 3 }], waiting: [] });
    expect(planAdmission([job('a', 1, 4, 2)], [{ id: 'r', createdAtMs: 0, slots: 2 }], 3)).toEqual({
      admit: [],
      waiting: [{ id: 'a', needed: 2 }],
    });
  });
});
