/**
 * Infrastructure of the fault-injection suite: throwaway PostgreSQL clusters, a TCP proxy that
 * stalls and resets links, scratch databases on the shared MariaDB, and the figures reporter.
 */
export {
  type BoundedBody,
  type BoundedOptions,
  type BoundedResult,
  bounded,
  FIGURES_FILE,
  type FigureRecord,
  type FigureValue,
  figure,
  figuresSummary,
  formatFigure,
  readFigures,
  resetFigures,
  sleep,
  within,
} from './figures.js';
export {
  killConnections,
  MARIADB_ADMIN_URL,
  type MariadbScratch,
  mariadbAvailable,
  mariadbQuery,
  mariadbScratch,
  mariadbThroughProxy,
  mysqlUri,
} from './mariadb.js';
export {
  type BackendFilter,
  freePgPort,
  type PgCluster,
  pgClustersAvailable,
  type StopMode,
  startPgCluster,
  sweepStalePgClusters,
} from './pg-cluster.js';
export {
  type ClientDataAction,
  type ClientDataRule,
  type ProxyOptions,
  startProxy,
  type TcpProxy,
} from './tcp-proxy.js';
