export * from './test-settings';
export * from './event-probe';
