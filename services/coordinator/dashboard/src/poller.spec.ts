import { poll } from './poller';

const flush = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('poll', () => {
  it('polls while show answers true, then stops', async () => {
    const errors = { textContent: '' } as HTMLElement;
    const seen: number[] = [];
    let n = 0;
    poll(
      async () => ++n,
      (v) => (seen.push(v), v < 3),
      errors,
      { everyMs: 5 },
    );
    await flush(300);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('shows a failure and retries; a success clears it', async () => {
    const errors = { textContent: '' } as HTMLElement;
    let calls = 0;
    const texts: string[] = [];
    poll(
      async () => {
        calls++;
        if (calls === 1) throw new Error('HTTP 503');
        return calls;
      },
      () => false,
      errors,
      { retryMs: 5 },
    );
    await flush(1);
    texts.push(errors.textContent ?? '');
    await flush(300);
    expect(texts).toEqual(['HTTP 503']);
    expect(calls).toBe(2);
    expect(errors.textContent).toBe('');
  });

  it('does nothing more once stopped', async () => {
    const errors = { textContent: '' } as HTMLElement;
    let calls = 0;
    const stop = poll(
      async () => ++calls,
      () => true,
      errors,
      { everyMs: 5 },
    );
    await flush(1);
    stop();
    const at = calls;
    await flush(50);
    expect(calls).toBe(at);
  });
});
