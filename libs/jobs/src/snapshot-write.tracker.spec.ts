import { SnapshotWriteTracker } from './snapshot-write.tracker';

/** A macrotask later: every reply already given has been seen. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SnapshotWriteTracker', () => {
  it('takes a reply after a window only once it came, and waits for it before the next snapshot', async () => {
    const writes = new SnapshotWriteTracker();
    let reply: (r: 'superseded') => void = () => undefined;
    writes.hold(new Promise((r) => (reply = r)));
    expect(await writes.check('window')).toBeNull();
    expect(writes.state).toBe('in-flight');
    const next = writes.check('snapshot');
    reply('superseded');
    expect(await next).toBe('superseded');
    expect(writes.state).toBe('none');
  });

  it('keeps a write that fails while nobody looks as an error for the next check (never unhandled)', async () => {
    const writes = new SnapshotWriteTracker();
    writes.hold(Promise.reject(new Error('ERR the snapshot script failed')));
    await turn();
    expect(writes.state).toBe('settled');
    await expect(writes.check('window')).rejects.toThrow('ERR the snapshot script failed');
    expect(await writes.check('end')).toBeNull();
  });

  it('holds one write at most', () => {
    const writes = new SnapshotWriteTracker();
    writes.hold(Promise.resolve('passed'));
    expect(() => writes.hold(Promise.resolve('passed'))).toThrow('already pending');
  });
});
