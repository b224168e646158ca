// Scenario 12: `find` with `populate` of a many-to-many against MikroORM's `em.find` with the same
// populate, in the same run: 20 articles (ordered by id, after an offset), each with its 3 of 30 tags,
// loaded through the pivot table. Both go through MikroORM's find with the same populate, so what Kosha
// adds is checking the query and translating it. Target ≤ 1.05.
import { closeKosha, compare, fmtUs, openKosha, row } from '../lib/harness.mjs';

const ARTICLES = 400;
const TAGS = 30;

export default {
  id: 'relations',
  title: 'repo.find with populate of a many-to-many against em.find with populate',
  async run(ctx) {
    const { DbRepo, column, entity, id, manyToMany, table } = await import('@kosha/core');
    class Tag {}
    class Article {}
    entity(Tag);
    table(`bench_rel_tag_${ctx.suffix}`)(Tag);
    id()(Tag.prototype, 'id');
    column({ type: 'string', length: 40 })(Tag.prototype, 'name');
    manyToMany(() => Article, { inverse: 'tags' })(Tag.prototype, 'articles');
    entity(Article);
    table(`bench_rel_article_${ctx.suffix}`)(Article);
    id()(Article.prototype, 'id');
    column({ type: 'string', length: 100 })(Article.prototype, 'title');
    manyToMany(() => Tag, { table: `bench_rel_article_tags_${ctx.suffix}` })(Article.prototype, 'tags');
    class Articles extends DbRepo {}
    class Tags extends DbRepo {}

    const kosha = await openKosha(ctx, [Tag, Article]);
    try {
      const tags = await new Tags(Tag).insertAll(
        Array.from({ length: TAGS }, (_, i) => ({ name: `tag ${i}` })),
      );
      const articles = new Articles(Article);
      await articles.insertAll(
        Array.from({ length: ARTICLES }, (_, i) => ({
          title: `article ${i}`,
          tags: [tags[i % TAGS], tags[(i * 7 + 1) % TAGS], tags[(i * 13 + 2) % TAGS]].filter(
            (t, j, all) => all.indexOf(t) === j,
          ),
        })),
      );
      const em = kosha.orm.orm.em;
      const options = { populate: ['tags'], orderBy: { id: 'asc' }, limit: 20, offset: 100 };
      const check = (rows) => {
        if (rows.length !== 20) throw new Error(`expected 20 articles, got ${rows.length}`);
        if (!rows.every((a) => a.tags.isInitialized() && a.tags.length > 0))
          throw new Error('tags not loaded');
        return rows;
      };
      const viaKosha = () => articles.find(options);
      const viaMikro = () => em.fork().find(Article, {}, options);
      const a = check(await viaKosha()).map((x) => `${x.id}:${x.tags.length}`);
      const b = check(await viaMikro()).map((x) => `${x.id}:${x.tags.length}`);
      if (a.join() !== b.join()) throw new Error('find and em.find disagree');

      const plain = { orderBy: { id: 'asc' }, limit: 20, offset: 100 };
      const twenty = (rows) => {
        if (rows.length !== 20) throw new Error(`expected 20 articles, got ${rows.length}`);
      };
      const m = await compare(
        {
          emFind: async () => check(await viaMikro()),
          find: async () => check(await viaKosha()),
          emFindPlain: async () => twenty(await em.fork().find(Article, {}, plain)),
          findPlain: async () => twenty(await articles.find(plain)),
        },
        ctx,
      );
      const ratio = m.ratio('find', 'emFind');
      const plainRatio = m.ratio('findPlain', 'emFindPlain');
      return [
        row({
          scenario: '12. repo.find, populate a many-to-many (20 articles × their tags)',
          kosha: fmtUs(m.us('find')),
          baseline: `${fmtUs(m.us('emFind'))} em.fork().find(…, { populate: ['tags'] })`,
          ratio,
          target: '≤ 1.05',
          pass: ratio <= 1.05,
          notes: `${ctx.dialect}, ${m.rounds} rounds, ${ARTICLES} articles, ${TAGS} tags; the same populate through MikroORM's find on both sides (two SELECTs each)`,
        }),
        row({
          scenario: '12b. the same find without populate (what any find adds, as in 9)',
          kosha: fmtUs(m.us('findPlain')),
          baseline: `${fmtUs(m.us('emFindPlain'))} em.fork().find(…)`,
          ratio: plainRatio,
          target: '—',
          notes: `${ctx.dialect}; one SELECT each: 12's ratio minus this one is what the many-to-many adds`,
        }),
      ];
    } finally {
      await closeKosha(kosha);
    }
  },
};
