export * from './load-config';
export * from './schemas';
export * from './service-config';
export * from './secrets';
