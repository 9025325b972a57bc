import { z } from 'zod';
import { productFieldsSchema } from '../../contracts/product';
import { mongooseTypesOf } from './schema-types';

describe('mongoose types of a contract', () => {
  test('When a model stores the product fields, then each gets the type the contract gives it', () => {
    expect(mongooseTypesOf(productFieldsSchema)).toEqual({
      name: String,
      desc: String,
      type: String,
      banner: String,
      unit: Number,
      price: Number,
      available: Boolean,
      suplier: String,
      stock: Number,
    });
  });

  test('When a field is optional or has a default, then its type is the inner one; a nested object is refused', () => {
    expect(mongooseTypesOf(z.object({ a: z.string().optional(), b: z.number().default(1) }))).toEqual({ a: String, b: Number });
    expect(() => mongooseTypesOf(z.object({ nested: z.object({}) }))).toThrow('nested');
  });
});
