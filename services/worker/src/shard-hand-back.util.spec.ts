import { WaitingError } from 'bullmq';
import { handBack } from './shard-hand-back.util';

describe('handBack', () => {
  it('moves the shard job back to the wait list and tells BullMQ it moved', async () => {
    const moved: (string | undefined)[] = [];
    const job = { id: 'j.0', moveToWait: (t?: string) => Promise.resolve(moved.push(t)) };
    await expect(handBack(job, 'tok', () => undefined)).rejects.toBeInstanceOf(WaitingError);
    expect(moved).toEqual(['tok']);
  });

  it('after a lost lock: one line, and still WaitingError (the job is not failed, its new owner keeps it)', async () => {
    const lines: string[] = [];
    const job = {
      id: 'j.0',
      moveToWait: () => Promise.reject(new Error('Missing lock for job j.0. moveJobFromActiveToWait')),
    };
    await expect(handBack(job, 'tok', (l) => lines.push(l))).rejects.toBeInstanceOf(WaitingError);
    expect(lines).toEqual([
      'shard job j.0: not handed back (Missing lock for job j.0. moveJobFromActiveToWait); left to the worker that holds it now',
    ]);
  });
});
