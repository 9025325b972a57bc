/**
 * The part of common an HTTP process needs without a database or a broker (the gateway): config,
 * errors, the HTTP pieces, logging and metrics. The root entry point also loads mongoose and
 * amqplib, memory that such a process never uses.
 */
export * from './kit/config';
export * from './kit/errors';
export * from './kit/http';
export * from './kit/logging';
export * from './kit/metrics';
