export * from './catalogue-replica';
