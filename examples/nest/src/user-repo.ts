import { cacheable, DbRepo, repository, transactional } from '@kosha/core';
import { Injectable } from '@nestjs/common';
import { User } from './user.js';

/** The users' repository: injectable through `KoshaModule.forFeature([UserRepo])`. */
@repository
@Injectable()
export class UserRepo extends DbRepo<User> {
  constructor() {
    super(User);
  }

  /** A user by id, cached for an hour under `user:<id>`: a hit costs no connection. */
  @transactional({ readOnly: true })
  @cacheable({ keyPrefix: 'user', ttl: 3600 })
  async get(userId: number): Promise<User | null> {
    return this.getById(userId);
  }

  /** A user by email, or null. */
  async findByEmail(email: string): Promise<User | null> {
    return this.findByField('email', email);
  }
}
