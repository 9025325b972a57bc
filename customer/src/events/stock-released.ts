import { StockEvents, stockReleasedSchema } from '@shop/common';
import type { ViewEvent } from './view-event';

/** stock.released: a cancelled order's stock is back; the order is cancelled. */
export const stockReleased: ViewEvent = { type: StockEvents.stockReleased, toChange: (data) => ({ kind: 'stock-released', change: stockReleasedSchema.parse(data) }) };
