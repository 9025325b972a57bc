import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithContext } from '../logging/request-context';

export const REQUEST_ID_HEADER = 'x-request-id';

// An incoming id is kept only if it is short and plain, so that a client cannot inject log content.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function acceptOrCreateRequestId(incoming: unknown): string {
  return typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export interface RequestIdOptions {
  /**
   * Whether what serves the request runs with the id as its async context, so that any log line
   * or event on the way carries it. A proxy that only passes requests on turns it off and names
   * the id itself: once AsyncLocalStorage is used, its hooks run on every promise and resource.
   */
  asyncContext?: boolean;
}

/** Gives every request an id (the caller's, when valid) on its headers, echoes it, and logs under it. */
export function requestId({ asyncContext = true }: RequestIdOptions = {}): RequestHandler {
  return (req, res, next) => {
    const id = acceptOrCreateRequestId(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    if (asyncContext) runWithContext({ requestId: id }, next);
    else next();
  };
}
