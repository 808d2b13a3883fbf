export { startNats, isNatsUp, findNatsServer, MIN_NATS_SERVER, NatsHarnessError } from './server';
export type { NatsOptions, NatsServer } from './server';
