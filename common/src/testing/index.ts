export * from './test-settings';
export * from './event-probe';
export * from './applied-events';
export * from './dead-letters';
export * from './shuffled';
export * from './capturing-logger';
export * from './database-commands';
export * from './tcp-hop';
