import { mongooseTypesOf } from '../kit/database/schema-types';
import { productSnapshotSchema, toProductSnapshot } from './catalogue-events';
import { lineProductSchema, PRODUCT_FIELDS, productFieldsSchema, publicProductSchema, toLineProduct, toPublicProduct } from './product';
import { lineSchema } from './shopping-events';

const apples = { _id: 'p1', name: 'Apples', desc: 'crisp', type: 'fruits', banner: '/images/apples.jpg', unit: 1, price: 140, available: true, suplier: 'Orchard', stock: 7 };

describe('the product contract', () => {
  test('When a stored product carries bookkeeping, then clients, events and lines see only the product fields', () => {
    const stored = { ...apples, version: 3, deleted: false, reservedFor: ['o1'] };
    expect(toPublicProduct(stored)).toEqual(apples);
    const { _id, ...fields } = apples;
    expect(toProductSnapshot(toPublicProduct(stored), 3)).toEqual({ productId: _id, ...fields, version: 3 });
    expect(toLineProduct(stored)).toEqual({ _id: 'p1', name: 'Apples', desc: 'crisp', price: 140, banner: '/images/apples.jpg', type: 'fruits' });
  });

  test('When the schemas are derived from the product fields, then each carries every field it should', () => {
    expect(Object.keys(publicProductSchema.shape)).toEqual(['_id', ...PRODUCT_FIELDS]);
    expect(Object.keys(productSnapshotSchema.shape)).toEqual(['productId', ...PRODUCT_FIELDS, 'version']);
    expect(Object.keys(lineProductSchema.shape)).toEqual(['_id', 'name', 'desc', 'price', 'banner', 'type']);
  });

  test('When a line comes without a product field it carries, then it is refused', () => {
    const { desc: _desc, ...withoutDesc } = toLineProduct(apples);
    expect(lineSchema.safeParse({ product: toLineProduct(apples), unit: 2 }).success).toBe(true);
    expect(lineSchema.safeParse({ product: withoutDesc, unit: 2 }).success).toBe(false);
  });

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
});
