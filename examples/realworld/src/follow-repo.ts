import { DbRepo, type Id, isIn, repository, transactional } from '@kosha/core';
import { Follow, type User } from './entities.js';

/** Who follows whom. Following twice or unfollowing someone not followed changes nothing. */
@repository
export class FollowRepo extends DbRepo<Follow> {
  readonly findByFollower = this.derive('findByFollower');

  constructor() {
    super(Follow);
  }

  @transactional
  async follow(follower: Id<User>, followee: Id<User>): Promise<void> {
    await this.insertAll([{ follower, followee }], { ignoreDuplicates: true });
  }

  @transactional
  async unfollow(follower: Id<User>, followee: Id<User>): Promise<void> {
    await this.deleteWhere({ follower, followee });
  }

  /** The ids of the users `follower` follows, among `candidates` (all of them without it). */
  @transactional({ readOnly: true })
  async followedIds(follower: Id<User>, candidates?: readonly number[]): Promise<Set<number>> {
    const rows = candidates
      ? await this.find({ where: { follower, followee: isIn([...candidates]) } })
      : await this.findByFollower(follower);
    return new Set(rows.map((f) => f.followee.id));
  }
}
