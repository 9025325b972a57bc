import bcrypt from 'bcryptjs';
import { UnauthorizedError, type Role } from '@shop/common';
import type { CustomerRepository } from '../database/customer-repository';
import type { Customer } from '../database/models/customer';
import type { Session, Sessions } from './sessions';

export interface Credentials {
  email: string;
  password: string;
}

export interface SignUp extends Credentials {
  phone: string;
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Sign-up and log-in: bcrypt-hashed passwords; each starts a session. */
export class Accounts {
  /** Compared against when the email is unknown, so that both answers take the same time. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly customers: CustomerRepository,
    private readonly sessions: Sessions,
    private readonly bcryptCost: number,
  ) {
    this.decoyHash = bcrypt.hash('decoy password never used', bcryptCost);
  }

  async signUp(details: SignUp): Promise<Session> {
    const customer = await this.createAccount(details, 'customer');
    return this.sessions.start(customer._id.toString(), customer.role);
  }

  async logIn({ email, password }: Credentials): Promise<Session> {
    const customer = await this.customers.findByEmail(normaliseEmail(email));
    const matches = await bcrypt.compare(password, customer?.passwordHash ?? (await this.decoyHash));
    if (!customer || !matches) throw new UnauthorizedError('The email or password is wrong', 'INVALID_CREDENTIALS');
    return this.sessions.start(customer._id.toString(), customer.role);
  }

  /** Creates the configured admin account unless an account with that email exists. */
  async ensureAdmin(email: string, password: string): Promise<boolean> {
    if (await this.customers.findByEmail(normaliseEmail(email))) return false;
    await this.createAccount({ email, password, phone: '' }, 'admin');
    return true;
  }

  private async createAccount({ email, password, phone }: SignUp, role: Role): Promise<Customer> {
    const passwordHash = await bcrypt.hash(password, this.bcryptCost);
    return this.customers.create({ email: normaliseEmail(email), passwordHash, phone, role });
  }
}
