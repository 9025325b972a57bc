import { ConflictError } from '@shop/common';
import { normaliseEmail } from '../../domain/email';
import type { AccountsContext } from '../context';
import { createAccount } from './create-account';

/**
 * Creates the configured admin account unless an account with that email exists; true when it
 * did. Instances starting together race for it: the unique email decides, and the others find it made.
 */
export async function ensureAdmin(context: Pick<AccountsContext, 'customers' | 'bcryptCost'>, email: string, password: string): Promise<boolean> {
  if (await context.customers.findByEmail(normaliseEmail(email))) return false;
  try {
    await createAccount(context, { email, password, phone: '' }, 'admin');
    return true;
  } catch (error) {
    if (error instanceof ConflictError && error.code === 'EMAIL_TAKEN') return false;
    throw error;
  }
}
