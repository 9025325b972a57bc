import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A refresh token, stored by its SHA-256 only: the database never holds one that could be used.
 * Tokens of one log-in share a family; each is used once (rotatedAt), and a family is revoked whole.
 */
export interface RefreshTokenRecord {
  /** SHA-256 of the token, hex. */
  _id: string;
  customerId: string;
  familyId: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the token was exchanged for a new pair: any later use is a reuse. */
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

const refreshTokenSchema = new Schema<RefreshTokenRecord>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    familyId: { type: String, required: true, index: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'refresh_tokens' },
);

export function refreshTokenModel(connection: Connection): Model<RefreshTokenRecord> {
  return connection.models.RefreshToken ?? connection.model<RefreshTokenRecord>('RefreshToken', refreshTokenSchema);
}
