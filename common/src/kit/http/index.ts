export * from './client-address';
export * from './error-handler';
export * from './request-id';
export * from './server';
export * from './service-app';
export * from './validate';
export * from './rate-limit';
