import { DbRepo, type Id, repository, transactional } from '@kosha/core';
import { type Article, Comment, type User } from './entities.js';

/** Comments of an article. Deleting one sets its `deletedAt`; every finder leaves it out after that. */
@repository
export class CommentRepo extends DbRepo<Comment> {
  readonly findByArticleOrderByIdAsc = this.derive('findByArticleOrderByIdAsc');

  constructor() {
    super(Comment);
  }

  @transactional
  async add(article: Id<Article>, author: Id<User>, body: string): Promise<Comment> {
    const [comment] = await this.insertAll([{ article, author, body }]);
    return comment!;
  }

  @transactional({ readOnly: true })
  async ofArticle(article: Id<Article>): Promise<Comment[]> {
    return this.findByArticleOrderByIdAsc(article, { populate: ['author'] });
  }
}
