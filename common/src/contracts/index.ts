export * from './product';
export * from './catalogue-events';
export * from './shopping-events';
export * from './order-status';
export * from './event-publishers';
