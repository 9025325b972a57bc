import type { AccountsContext } from '../context';
import { createAccount, type SignUp } from './create-account';
import { startSession, type Session } from './start-session';

/** A new customer account, signed in. */
export async function signUp(context: AccountsContext, details: SignUp): Promise<Session> {
  const customer = await createAccount(context, details, 'customer');
  return startSession(context, customer._id.toString(), customer.role);
}
