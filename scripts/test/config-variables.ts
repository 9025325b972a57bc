import { z } from 'zod';

/** The variables a config schema reads: the keys of the object inside its refinements and transforms. */
export function variablesRead(schema: z.ZodType): string[] {
  let inner = schema;
  // A transform wraps the object in a pipe; refinements are checks on the object itself.
  while (inner instanceof z.ZodPipe) inner = inner.in as z.ZodType;
  if (!(inner instanceof z.ZodObject)) throw new Error('a config schema must be an object schema, possibly refined or transformed');
  return Object.keys(inner.shape);
}
