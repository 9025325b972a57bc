import bcrypt from 'bcryptjs';
import { UnauthorizedError } from '@shop/common';
import { normaliseEmail } from '../../domain/email';
import type { AccountsContext } from '../context';
import type { Credentials } from './create-account';
import { startSession, type Session } from './start-session';

/** The hash an unknown email's password is compared against, so that its answer takes as long as a known one's. */
export const decoyHashFor = (bcryptCost: number): Promise<string> => bcrypt.hash('decoy password never used', bcryptCost);

/** Starts a session for the right email and password; any other pair is the same 401. */
export async function logIn(context: AccountsContext, { email, password }: Credentials): Promise<Session> {
  const customer = await context.customers.findByEmail(normaliseEmail(email));
  const matches = await bcrypt.compare(password, customer?.passwordHash ?? (await context.decoyHash));
  if (!customer || !matches) throw new UnauthorizedError('The email or password is wrong', 'INVALID_CREDENTIALS');
  return startSession(context, customer._id.toString(), customer.role);
}
