import type { ZodTypeAny } from 'zod';

/** The variables a config schema reads: the keys of the object inside its refinements and transforms. */
export function variablesRead(schema: ZodTypeAny): string[] {
  let inner = schema as ZodTypeAny & { _def: { schema?: ZodTypeAny }; shape?: Record<string, unknown> };
  while (inner._def.schema) inner = inner._def.schema as typeof inner;
  if (!inner.shape) throw new Error('a config schema must be an object schema, possibly refined or transformed');
  return Object.keys(inner.shape);
}
