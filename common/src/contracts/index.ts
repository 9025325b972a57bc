export * from './catalogue-events';
export * from './shopping-events';
