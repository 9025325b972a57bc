import { normaliseEmail } from '../../domain/email';
import type { AccountsContext } from '../context';
import { createAccount } from './create-account';

/** Creates the configured admin account unless an account with that email exists; true when it did. */
export async function ensureAdmin(context: AccountsContext, email: string, password: string): Promise<boolean> {
  if (await context.customers.findByEmail(normaliseEmail(email))) return false;
  await createAccount(context, { email, password, phone: '' }, 'admin');
  return true;
}
