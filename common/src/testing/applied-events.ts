import { shopMetrics } from '../kit/metrics/metrics';

/**
 * Events of this type that this process's consumers have applied, a no-op included: a test waits
 * for it to grow to know a redelivery was handled before it checks that nothing changed.
 */
export async function appliedEventCount(type: string): Promise<number> {
  const { values } = await shopMetrics().eventsConsumed.get();
  return values.find((value) => value.labels.type === type && value.labels.outcome === 'applied')?.value ?? 0;
}
