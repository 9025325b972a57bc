import { StockEvents, stockRejectedSchema } from '@shop/common';
import type { ViewEvent } from './view-event';

/** stock.rejected: a received order is rejected, with the reason. */
export const stockRejected: ViewEvent = { type: StockEvents.stockRejected, toChange: (data) => ({ kind: 'stock-rejected', change: stockRejectedSchema.parse(data) }) };
