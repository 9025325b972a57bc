import mongoose, { type Connection, type Model } from 'mongoose';
import { refreshTokenModel, type RefreshTokenRecord } from './models/refresh-token';

export type NewRefreshToken = Pick<RefreshTokenRecord, '_id' | 'customerId' | 'familyId' | 'expiresAt'>;

export class RefreshTokenRepository {
  private readonly model: Model<RefreshTokenRecord>;

  constructor(connection: Connection) {
    this.model = refreshTokenModel(connection);
  }

  async insert(token: NewRefreshToken): Promise<void> {
    await this.model.collection.insertOne({ ...token, createdAt: new Date(), rotatedAt: null, revokedAt: null } as never);
  }

  /**
   * Marks a live token as used, in one atomic update, and returns it; null when it is unknown,
   * expired, revoked or used already. Of two concurrent uses of one token, only one wins.
   */
  async claim(hash: string, now: Date): Promise<RefreshTokenRecord | null> {
    return this.model.findOneAndUpdate({ _id: hash, rotatedAt: null, revokedAt: null, expiresAt: mongoose.trusted({ $gt: now }) }, { $set: { rotatedAt: now } }).lean();
  }

  async findByHash(hash: string): Promise<RefreshTokenRecord | null> {
    return this.model.findById(hash).lean();
  }

  async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.model.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } });
  }
}
