import type { Outbox } from '@shop/common';
import type { ProductRepository } from '../database/product-repository';
import type { StockReservationRepository } from '../database/stock-reservation-repository';
import type { CatalogueQueries } from './queries/catalogue-queries';

/** What the catalogue's use cases work with: a change is stored, announced, and served at once by this instance. */
export interface CatalogueContext {
  products: ProductRepository;
  outbox: Outbox;
  queries: CatalogueQueries;
}

/** What the stock step of the order saga works with. */
export interface StockContext extends CatalogueContext {
  reservations: StockReservationRepository;
}
