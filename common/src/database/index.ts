export * from './errors';
export * from './mongo';
