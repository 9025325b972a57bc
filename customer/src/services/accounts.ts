import bcrypt from 'bcryptjs';
import { signAccessToken, UnauthorizedError, type Role, type SigningSettings } from '@shop/common';
import type { CustomerRepository } from '../database/customer-repository';

export interface Credentials {
  email: string;
  password: string;
}

export interface SignUp extends Credentials {
  phone: string;
}

export interface Session {
  id: string;
  token: string;
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Sign-up and log-in: bcrypt-hashed passwords, signed access tokens. */
export class Accounts {
  /** Compared against when the email is unknown, so that both answers take the same time. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly customers: CustomerRepository,
    private readonly tokens: SigningSettings,
    private readonly bcryptCost: number,
  ) {
    this.decoyHash = bcrypt.hash('decoy password never used', bcryptCost);
  }

  async signUp({ email, password, phone }: SignUp, role: Role = 'customer'): Promise<Session> {
    const passwordHash = await bcrypt.hash(password, this.bcryptCost);
    const customer = await this.customers.create({ email: normaliseEmail(email), passwordHash, phone, role });
    return this.sessionFor(customer._id.toString(), customer.role);
  }

  async logIn({ email, password }: Credentials): Promise<Session> {
    const customer = await this.customers.findByEmail(normaliseEmail(email));
    const matches = await bcrypt.compare(password, customer?.passwordHash ?? (await this.decoyHash));
    if (!customer || !matches) throw new UnauthorizedError('The email or password is wrong', 'INVALID_CREDENTIALS');
    return this.sessionFor(customer._id.toString(), customer.role);
  }

  /** Creates the configured admin account unless an account with that email exists. */
  async ensureAdmin(email: string, password: string): Promise<boolean> {
    if (await this.customers.findByEmail(normaliseEmail(email))) return false;
    await this.signUp({ email, password, phone: '' }, 'admin');
    return true;
  }

  private sessionFor(customerId: string, role: Role): Session {
    return { id: customerId, token: signAccessToken({ customerId, role }, this.tokens) };
  }
}
