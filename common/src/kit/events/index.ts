export * from './envelope';
export * from './outbox';
export * from './consumer';
