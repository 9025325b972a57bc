export * from './errors';
export * from './mongo';
export * from './schema-types';
