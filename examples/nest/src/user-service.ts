import { transactional } from '@kosha/core';
import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import type { User } from './user.js';
import { UserRepo } from './user-repo.js';

/** What `POST /users` takes. */
export interface NewUser {
  name: string;
  email: string;
}

/** Registers users: the check and the insert in one transaction. */
@Injectable()
export class UserService {
  constructor(private readonly users: UserRepo) {}

  /**
   * Inserts the user unless the email is taken. Its transaction is the request's (mode 'request'); thrown
   * from here, an error marks it rollback-only, so the 4xx Nest answers rolls the request back too.
   */
  @transactional
  async register(input: NewUser): Promise<User> {
    if (await this.users.findByEmail(input.email)) throw new ConflictException(`${input.email} is taken`);
    const [user] = await this.users.insertAll([{ name: input.name, email: input.email }]);
    // Checked after the insert on purpose: the example shows the insert rolled back with the request.
    if (!input.name.trim()) throw new BadRequestException('name must not be blank');
    return user!;
  }

  /** A user by id (cached), or null. */
  find(userId: number): Promise<User | null> {
    return this.users.get(userId);
  }
}
