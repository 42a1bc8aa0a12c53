import { compareStreamIds, parseStreamId, streamIdBefore } from './stream-id';

describe('stream ids', () => {
  it('parses complete ids within 64 bits only', () => {
    expect(parseStreamId('1712345678901-3')).toEqual({ ms: 1712345678901n, seq: 3n });
    for (const bad of ['abc', '-1', '1-1-1', '$', '1-', '-', '1', '18446744073709551616-0', '9'.repeat(5000)])
      expect(parseStreamId(bad)).toBeNull();
  });

  it('orders ids and steps back one', () => {
    expect(compareStreamIds(parseStreamId('2-0')!, parseStreamId('1-9')!)).toBeGreaterThan(0);
    expect(compareStreamIds(parseStreamId('1-9')!, parseStreamId('1-9')!)).toBe(0);
    expect(streamIdBefore(parseStreamId('5-2')!)).toBe('5-1');
    expect(streamIdBefore(parseStreamId('5-0')!)).toBe('4-18446744073709551615');
  });
});
