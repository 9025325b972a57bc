import { NotFoundError } from '@shop/common';
import type { Address } from '../../database/models/customer';
import type { ProfilesContext } from '../context';
import { getProfile, type CustomerProfile } from '../queries/get-profile';

export type NewAddress = Omit<Address, '_id'>;

/** Adds an address to the account; answers the profile with it. */
export async function addAddress(context: ProfilesContext, customerId: string, address: NewAddress): Promise<CustomerProfile> {
  const updated = await context.customers.addAddress(customerId, address);
  if (!updated) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
  return getProfile(context, customerId);
}
