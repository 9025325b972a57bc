export * from './test-settings';
export * from './event-probe';
export * from './dead-letters';
