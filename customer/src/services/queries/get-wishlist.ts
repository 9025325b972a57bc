import { toPublicProduct, type PublicProduct } from '@shop/common';
import type { Customer } from '../../database/models/customer';
import type { ProfilesContext } from '../context';
import { requireCustomer } from './find-customer';

/** The wishlist's products as the catalogue replica knows them, in the order they were added. */
export async function wishlistProducts({ catalogue }: Pick<ProfilesContext, 'catalogue'>, customer: Customer): Promise<PublicProduct[]> {
  const products = new Map((await catalogue.findMany(customer.wishlist)).map((product) => [product._id, toPublicProduct(product)]));
  return customer.wishlist.flatMap((id) => products.get(id) ?? []);
}

export async function getWishlist(context: ProfilesContext, customerId: string): Promise<PublicProduct[]> {
  return wishlistProducts(context, await requireCustomer(context, customerId));
}
