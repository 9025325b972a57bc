/**
 * The part of common an HTTP process needs without a database or a broker (the gateway): config,
 * errors, the HTTP pieces, logging and metrics. The root entry point also loads mongoose and
 * amqplib, memory that such a process never uses.
 */
export * from './config';
export * from './errors';
export * from './http';
export * from './logging';
export * from './metrics';
