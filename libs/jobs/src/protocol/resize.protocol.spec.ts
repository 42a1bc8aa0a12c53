import { growTarget, planResize, ResizeJobState } from './resize.protocol';

const RUNNING: ResizeJobState = { finished: false, shards: 2, running: true, requeue: false, epoch: 0 };

describe('planResize', () => {
  it('leaves a job that ended or is gone', () => {
    expect(planResize(null, 3)).toBe('finished');
    expect(planResize({ ...RUNNING, finished: true }, 3)).toBe('finished');
  });

  it('changes nothing for the same count with no resize under way; the same count with one under way undoes it', () => {
    expect(planResize(RUNNING, 2)).toBe('unchanged');
    expect(planResize({ ...RUNNING, resizeTo: 4 }, 2)).toBe('signal');
  });

  it('asks a running job to stop at its next barrier', () => {
    expect(planResize(RUNNING, 4)).toBe('signal');
    expect(planResize({ ...RUNNING, epoch: 3 }, 1)).toBe('signal');
  });

  it('changes the metadata of a job that never ran, and re-partitions one waiting after a resize at once', () => {
    expect(planResize({ ...RUNNING, running: false }, 4)).toBe('set-shards');
    expect(planResize({ ...RUNNING, running: true, requeue: true, epoch: 1 }, 4)).toBe('commit');
    expect(planResize({ ...RUNNING, running: false, epoch: 2 }, 4)).toBe('commit');
  });
});

describe('growTarget', () => {
  const JOB = { shards: 2, maxShards: 8, minShards: 1, actors: 6 };

  it('grows into the free slots, up to the maximum and the actors', () => {
    expect(growTarget(JOB, 1)).toBe(3);
    expect(growTarget(JOB, 10)).toBe(6);
    expect(growTarget({ ...JOB, maxShards: 4 }, 10)).toBe(4);
  });

  it('leaves a job without run.minShards, one being resized, one at its maximum, and any with no free slot', () => {
    expect(growTarget({ ...JOB, minShards: 0 }, 4)).toBeNull();
    expect(growTarget({ ...JOB, resizeTo: 4 }, 4)).toBeNull();
    expect(growTarget({ ...JOB, maxShards: undefined }, 4)).toBeNull();
    expect(growTarget(JOB, 0)).toBeNull();
  });
});
