export { ensureBroker, stopBroker, brokerStatus, isBrokerReady, isPortOpen, KAFKA_VERSION } from './broker';
export type { BrokerHandle, BrokerOptions } from './broker';
