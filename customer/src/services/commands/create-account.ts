import bcrypt from 'bcryptjs';
import type { Role } from '@shop/common';
import type { Customer } from '../../database/models/customer';
import { normaliseEmail } from '../../domain/email';
import type { AccountsContext } from '../context';

export interface Credentials {
  email: string;
  password: string;
}

export interface SignUp extends Credentials {
  phone: string;
}

/** Stores an account with its password's bcrypt hash; a taken email is a 409 (the unique index decides a race). */
export async function createAccount(
  { customers, bcryptCost }: Pick<AccountsContext, 'customers' | 'bcryptCost'>,
  { email, password, phone }: SignUp,
  role: Role,
): Promise<Customer> {
  const passwordHash = await bcrypt.hash(password, bcryptCost);
  return customers.create({ email: normaliseEmail(email), passwordHash, phone, role });
}
