import { z } from 'zod';
import { mongooseTypesOf } from './schema-types';

describe('mongoose types of a contract', () => {
  test('When a contract has string, number and boolean fields, then each gets that mongoose type', () => {
    expect(mongooseTypesOf(z.object({ name: z.string(), price: z.number(), stock: z.number().int(), available: z.boolean() }))).toEqual({
      name: String,
      price: Number,
      stock: Number,
      available: Boolean,
    });
  });

  test('When a field is optional or has a default, then its type is the inner one; a nested object is refused', () => {
    expect(mongooseTypesOf(z.object({ a: z.string().optional(), b: z.number().default(1) }))).toEqual({ a: String, b: Number });
    expect(() => mongooseTypesOf(z.object({ nested: z.object({}) }))).toThrow('nested');
  });
});
