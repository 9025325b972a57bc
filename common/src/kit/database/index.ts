export * from './errors';
export * from './mongo';
export * from './schema-types';
export * from './later-updates';
