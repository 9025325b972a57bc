import { parseBody, parseParams, parseQuery, requireAuth, type TokenSettings } from '@shop/common';
import { Router } from 'express';
import { createProduct } from '../services/commands/create-product';
import { deleteProduct } from '../services/commands/delete-product';
import { updateProduct } from '../services/commands/update-product';
import type { CatalogueContext } from '../services/context';
import type { CatalogueQueries } from '../services/queries/catalogue-queries';
import { categoryParams, productChangesSchema, productIdParams, productIdsBody, productInputSchema, productSearchQuery } from './schemas';

export interface ProductRoutesDependencies {
  queries: CatalogueQueries;
  commands: CatalogueContext;
  tokens: TokenSettings;
}

export function productRoutes({ queries, commands, tokens }: ProductRoutesDependencies): Router {
  const router = Router();
  const admin = requireAuth(tokens, 'admin');

  router.get('/', async (_req, res) => {
    res.type('application/json').send(await queries.allProductsBody());
  });

  router.get('/products', async (req, res) => {
    const { type, q, page, limit } = parseQuery(productSearchQuery, req);
    res.json(await queries.search({ type, text: q, page, limit }));
  });

  router.get('/category/:type', async (req, res) => {
    const { type } = parseParams(categoryParams, req);
    res.type('application/json').send(await queries.categoryBody(type));
  });

  router.post('/ids', async (req, res) => {
    const { ids } = parseBody(productIdsBody, req);
    res.json(await queries.getByIds(ids));
  });

  router.post('/product/create', admin, async (req, res) => {
    res.status(201).json(await createProduct(commands, parseBody(productInputSchema, req)));
  });

  router.put('/product/:id', admin, async (req, res) => {
    const { id } = parseParams(productIdParams, req);
    res.json(await updateProduct(commands, id, parseBody(productChangesSchema, req)));
  });

  router.delete('/product/:id', admin, async (req, res) => {
    const { id } = parseParams(productIdParams, req);
    res.json(await deleteProduct(commands, id));
  });

  // Last: any other single segment is a product id.
  router.get('/:id', async (req, res) => {
    const { id } = parseParams(productIdParams, req);
    res.type('application/json').send(await queries.productBody(id));
  });

  return router;
}
