import { DbRepo, type InsertRow, repository, transactional } from '@kosha/core';
import { User } from './entities.js';

/** The fields of a user that `PUT /api/user` may change. */
export type UserChanges = Partial<Pick<User, 'username' | 'email' | 'passwordHash' | 'bio' | 'image'>>;

/** Users, found by the names a client knows them by. */
@repository
export class UserRepo extends DbRepo<User> {
  readonly findOneByUsername = this.derive('findOneByUsername');
  readonly findOneByEmail = this.derive('findOneByEmail');
  readonly findByUsernameIn = this.derive('findByUsernameIn');

  constructor() {
    super(User);
  }

  @transactional
  async register(row: InsertRow<User>): Promise<User> {
    const [user] = await this.insertAll([row]);
    return user!;
  }

  /** Changes the given fields of a loaded user; the flush at commit writes them. */
  @transactional
  async change(user: User, changes: UserChanges): Promise<User> {
    Object.assign(user, changes);
    return this.update(user);
  }
}
