import type { Request } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors/app-errors';

/** Each failing field of a parse, as the error's details name it: its path (under `part`) and message. */
export function issueDetails(error: z.ZodError, part?: string): Array<{ path: string; message: string }> {
  // A path may hold symbols, which join() refuses.
  return error.issues.map((issue) => ({ path: [...(part ? [part] : []), ...issue.path].map(String).join('.'), message: issue.message }));
}

/**
 * Parses one part of a request with its schema. Zod object schemas strip unknown keys by default,
 * so a client cannot smuggle fields (a role, a price) through to a service.
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, part = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(`The request ${part} is not valid`, issueDetails(result.error, part));
}

export const parseBody = <S extends z.ZodType>(schema: S, req: Request): z.output<S> => parseRequest(schema, req.body ?? {}, 'body');
export const parseParams = <S extends z.ZodType>(schema: S, req: Request): z.output<S> => parseRequest(schema, req.params, 'params');
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request): z.output<S> => parseRequest(schema, req.query, 'query');

/** A MongoDB ObjectId as 24 hex characters. */
export const objectIdString = z.string().regex(/^[a-fA-F\d]{24}$/, 'must be a 24-character hex id');
