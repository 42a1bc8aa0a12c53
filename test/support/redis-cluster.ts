/**
 * A throwaway Redis Cluster for integration tests: three cluster-enabled
 * `redis-server` masters on free ports (never 6379), joined by `redis-cli
 * --cluster create --cluster-replicas 0`, ready once every node says
 * `cluster_state:ok`; the suite stops it in `afterAll`. The same code
 * `npm run bench` uses for its cluster run.
 */
export {
  LocalClusterNode,
  LocalRedisCluster,
  startLocalRedisCluster as startRedisCluster,
} from '../../services/cli/src/local-redis-cluster';
