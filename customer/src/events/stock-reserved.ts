import { StockEvents, stockReservedSchema } from '@shop/common';
import type { ViewEvent } from './view-event';

/** stock.reserved: a received order is confirmed. */
export const stockReserved: ViewEvent = { type: StockEvents.stockReserved, toChange: (data) => ({ kind: 'stock-reserved', change: stockReservedSchema.parse(data) }) };
