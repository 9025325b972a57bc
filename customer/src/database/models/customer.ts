import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Role } from '@shop/common';

export interface Address {
  _id: Types.ObjectId;
  street: string;
  postalCode: string;
  city: string;
  country: string;
}

/** The write model of an account: credentials, profile, addresses and wishlist. */
export interface Customer {
  _id: Types.ObjectId;
  /** Normalised (trimmed, lower case); unique. */
  email: string;
  passwordHash: string;
  phone: string;
  role: Role;
  address: Address[];
  /** Product ids, each once, in the order they were added. */
  wishlist: string[];
  createdAt: Date;
}

const addressSchema = new Schema<Address>({ street: String, postalCode: String, city: String, country: String });

const customerSchema = new Schema<Customer>(
  {
    email: { type: String, required: true, unique: true },
    passwordHash: { type: String, required: true },
    phone: { type: String, default: '' },
    role: { type: String, required: true, default: 'customer' },
    address: { type: [addressSchema], default: [] },
    wishlist: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'customers' },
);

export function customerModel(connection: Connection): Model<Customer> {
  return connection.models.Customer ?? connection.model<Customer>('Customer', customerSchema);
}
