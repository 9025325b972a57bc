import type { ProductSnapshot } from '@shop/common/contracts';
import { applyChange, catalogueViewOf, derivedOf, searchProducts } from './catalogue-view';

const snapshot = (productId: string, version: number, changes: Partial<ProductSnapshot> = {}): ProductSnapshot => ({
  productId,
  name: 'Apples',
  desc: '',
  type: 'fruits',
  banner: '',
  unit: 1,
  price: 140,
  available: true,
  suplier: '',
  stock: 10,
  version,
  ...changes,
});

describe('the catalogue view', () => {
  test('When a change comes twice or late, then the view keeps the newest version', () => {
    const view = catalogueViewOf([]);
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('a', 2, { price: 200 }) });
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('a', 1, { price: 100 }) });
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('a', 2, { price: 999 }) });
    expect(view.byId.get('a')).toMatchObject({ version: 2, product: { _id: 'a', price: 200 } });
  });

  test('When a product is deleted, then an older change cannot bring it back and a newer one can', () => {
    const view = catalogueViewOf([]);
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('a', 1) });
    applyChange(view, { kind: 'deletion', productId: 'a', version: 3 });
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('a', 2) });
    expect(view.byId.has('a')).toBe(false);
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('a', 4) });
    expect(view.byId.get('a')?.version).toBe(4);
  });

  test('When the catalogue changes, then the derived list, categories and bodies are made again', () => {
    const view = catalogueViewOf([]);
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('b', 1, { type: 'oils' }) });
    applyChange(view, { kind: 'snapshot', snapshot: snapshot('a', 1) });
    const first = derivedOf(view);
    expect(first.products.map((p) => p._id)).toEqual(['a', 'b']);
    expect(first.categories).toEqual(['fruits', 'oils']);
    expect(JSON.parse(first.categoryBodies.get('oils')!.toString())).toEqual([expect.objectContaining({ _id: 'b' })]);
    expect(derivedOf(view)).toBe(first);
    applyChange(view, { kind: 'deletion', productId: 'b', version: 2 });
    expect(derivedOf(view).categories).toEqual(['fruits']);
  });

  test('When products are searched, then type and name text (any case) filter them, a page at a time', () => {
    const view = catalogueViewOf([]);
    ['Green Apples', 'Red apples', 'Olive Oil'].forEach((name, i) => applyChange(view, { kind: 'snapshot', snapshot: snapshot(`p${i}`, 1, { name }) }));
    const { products } = derivedOf(view);
    expect(searchProducts(products, { text: 'APPLE', page: 1, limit: 1 })).toMatchObject({ total: 2, page: 1, limit: 1, products: [{ name: 'Green Apples' }] });
    expect(searchProducts(products, { text: 'apple', page: 2, limit: 1 }).products).toEqual([expect.objectContaining({ name: 'Red apples' })]);
    expect(searchProducts(products, { type: 'oils', page: 1, limit: 10 }).total).toBe(0);
  });
});
