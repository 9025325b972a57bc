import { z } from 'zod';

type PathType = StringConstructor | NumberConstructor | BooleanConstructor;

function pathTypeOf(field: z.ZodType, name: string): PathType {
  if (field instanceof z.ZodOptional || field instanceof z.ZodNullable || field instanceof z.ZodDefault) return pathTypeOf(field.unwrap() as z.ZodType, name);
  if (field instanceof z.ZodString) return String;
  if (field instanceof z.ZodNumber) return Number;
  if (field instanceof z.ZodBoolean) return Boolean;
  throw new Error(`field ${name} has no mongoose type of its own`);
}

/**
 * The mongoose path types of a contract's flat fields (strings, numbers, booleans), so that a
 * model stores the fields a contract defines without declaring them a second time.
 */
export function mongooseTypesOf(schema: z.ZodObject): Record<string, PathType> {
  return Object.fromEntries(Object.entries(schema.shape).map(([name, field]) => [name, pathTypeOf(field as z.ZodType, name)]));
}
