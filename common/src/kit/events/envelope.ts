import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Every message on the bus has this shape; `data` is the event's own body. */
export const eventEnvelopeSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.string().regex(/^[a-z][a-z-]*(\.[a-z][a-z-]*)+$/),
  occurredAt: z.iso.datetime(),
  source: z.string().min(1).max(100),
  correlationId: z.string().max(200).optional(),
  data: z.record(z.string(), z.unknown()),
});

export type EventEnvelope<T = Record<string, unknown>> = Omit<z.infer<typeof eventEnvelopeSchema>, 'data'> & { data: T };

export interface NewEvent<T> {
  type: string;
  data: T;
  source: string;
  correlationId?: string;
  /** A deterministic id, where a retried command must produce the same event and not a second one. */
  id?: string;
}

export function createEvent<T extends object>({ type, data, source, correlationId, id }: NewEvent<T>): EventEnvelope<T> {
  return { id: id ?? randomUUID(), type, occurredAt: new Date().toISOString(), source, correlationId, data };
}
