import { clusterNodesOf, clusterUrlOf, isClusterUrl, parseClusterUrl, redisTargetOf } from './redis.target';
import { bullPrefixOf, globalPrefixOf } from './jobs.constants';
import { GlobalKeys, JobKeys } from './job.keys';
import { SweepKeys } from './sweep.keys';

describe('Redis targets', () => {
  it('parses seed lists, credentials and TLS; refuses malformed nodes naming the field', () => {
    expect(parseClusterUrl(clusterUrlOf('a:7000, b:7001'))).toEqual({
      seeds: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseClusterUrl('rediss-cluster://u:p%40ss@[::1]:7000')).toEqual({
      seeds: [{ host: '::1', port: 7000 }],
      username: 'u',
      password: 'p@ss',
      tls: true,
    });
    expect(() => clusterUrlOf('a')).toThrow(
      '--redis-cluster: expected host:port[,host:port...] (port 1..65535), got "a"',
    );
    expect(() => clusterUrlOf('a:0', 'REDIS_CLUSTER_NODES')).toThrow(/^REDIS_CLUSTER_NODES: expected host:port/);
    expect(() => clusterUrlOf('')).toThrow('--redis-cluster: expected host:port[,host:port...], got nothing');
    expect(clusterNodesOf(clusterUrlOf('a:1,b:2'))).toBe('a:1,b:2');
    expect(isClusterUrl('redis://a:1')).toBe(false);
  });

  it('one rule for flags and environment: both kinds exclude each other; flags beat the environment; empty variables count as unset', () => {
    expect(() => redisTargetOf({ redis: 'redis://a:1', redisCluster: 'b:2' }, {})).toThrow(
      '--redis and --redis-cluster exclude each other',
    );
    expect(() => redisTargetOf({}, { REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' })).toThrow(
      'REDIS_CLUSTER_NODES and REDIS_URL are both set',
    );
    expect(redisTargetOf({ redisCluster: 'b:2' }, { REDIS_URL: 'redis://a:1' })).toBe('redis-cluster://b:2');
    expect(redisTargetOf({}, { TLBSIM_REDIS_URL: '', REDIS_CLUSTER_NODES: 'b:2' })).toBe('redis-cluster://b:2');
    expect(redisTargetOf({}, { REDIS_URL: 'redis://a:1' })).toBe('redis://a:1');
    expect(redisTargetOf({}, { REDIS_CLUSTER_NODES: 'b:2' }, false)).toBeUndefined();
    expect(redisTargetOf({}, {})).toBeUndefined();
  });

  it('keys: unchanged on one Redis; on a cluster the global and BullMQ keys share the {prefix} tag, job keys keep {job:<id>} first', () => {
    expect([bullPrefixOf('tlbsim'), new GlobalKeys('tlbsim').workers, SweepKeys.index('tlbsim')]).toEqual([
      'tlbsim:bull',
      'tlbsim:workers',
      'tlbsim:sweeps',
    ]);
    expect([
      bullPrefixOf('tlbsim', true),
      new GlobalKeys('tlbsim', true).workers,
      new GlobalKeys('tlbsim', true).worker('w'),
      SweepKeys.index('tlbsim', true),
    ]).toEqual(['{tlbsim}:bull', '{tlbsim}:workers', '{tlbsim}:worker:w', '{tlbsim}:sweeps']);
    expect(globalPrefixOf('p', true)).toBe('{p}');
    // Redis hashes the first {...}: a job's keys must not start with the global tag.
    expect(new JobKeys('tlbsim', 'j1').meta).toBe('tlbsim:{job:j1}:meta');
  });
});
