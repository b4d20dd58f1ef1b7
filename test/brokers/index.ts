// Real brokers for tests, benchmarks and demos (DESIGN.md, Testing; issue #3).
//
//   const redis = await startBroker('redis');      // free 127.0.0.1 port, fresh temp folder
//   new Redis(redis.connection); … await redis.restart(); … await redis.stop();
//
// Install the servers once with `bash test/brokers/install.sh`. Suites use describeBroker() /
// brokerOrSkip() (./suite), which skip when a broker is missing unless PEREGRINE_REQUIRE_BROKERS=1.
export { BrokerMissingError, brokerMissing, startBroker, stopAllBrokers } from './broker';
export { cacheDir, INSTALL_HINT } from './paths';
export { brokerOrSkip, brokersRequired, describeBroker } from './suite';
export { BROKER_NAMES, isBrokerName } from './types';
export type { BrokerHandle, BrokerName, ConnectionMap, StartOptions, StopOptions } from './types';
