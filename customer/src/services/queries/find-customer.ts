import { NotFoundError } from '@shop/common';
import type { Customer } from '../../database/models/customer';
import type { ProfilesContext } from '../context';

/** The caller's account; a token whose account is gone gets a 404. */
export async function requireCustomer({ customers }: Pick<ProfilesContext, 'customers'>, customerId: string): Promise<Customer> {
  const customer = await customers.findById(customerId);
  if (!customer) throw new NotFoundError('No such customer', 'CUSTOMER_NOT_FOUND');
  return customer;
}
