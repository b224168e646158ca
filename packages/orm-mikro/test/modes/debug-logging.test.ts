import { inspect } from 'node:util';
import { column, createKosha, DatabaseError, DbRepo, entity, id, table } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { mikroOrm } from '../../src/index.js';
import { DATABASES, emptyDatabase, memoryLogger, openKosha } from '../support/databases.js';

@entity
@table('log_tokens')
class Token {
  @id() id!: number;
  @column({ type: 'string', unique: true }) value!: string;
}

class Tokens extends DbRepo<Token> {}

const PASSWORD = 'Log-Pa55word-never-printed';

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`debug logging on ${db.name}`, () => {
    it('debug: true logs every statement at debug level, with placeholders instead of values', async () => {
      const logger = memoryLogger();
      const env = await openKosha(db, [Token], { debug: true, logger });
      try {
        const tokens = new Tokens(Token, env.kosha);
        logger.lines.length = 0;
        const [t] = await tokens.insertAll([{ value: 'tok-sensitive-1' }]);
        await tokens.findByField('value', 'tok-sensitive-1');
        await tokens.getById(t!.id);
        const sql = logger.lines.filter((l) => l.message.startsWith('[sql] '));
        expect(sql.length).toBeGreaterThanOrEqual(4);
        expect(sql.every((l) => l.level === 'debug')).toBe(true);
        expect(sql.some((l) => /insert into .*log_tokens.*values \(\?/i.test(l.message))).toBe(true);
        expect(sql.some((l) => /select .*from .*log_tokens.*where .*= \?/i.test(l.message))).toBe(true);
        expect(sql.some((l) => /\b(commit)\b/i.test(l.message))).toBe(true);
        expect(sql.every((l) => /\[took \d+ ms/.test(l.message))).toBe(true);
        expect(logger.lines.some((l) => l.message.includes('tok-sensitive-1'))).toBe(false);
      } finally {
        await env.close();
      }
    });

    it('a failing statement is logged as failed, and the error still reaches the caller', async () => {
      const logger = memoryLogger();
      const env = await openKosha(db, [Token], { debug: true, logger });
      try {
        const tokens = new Tokens(Token, env.kosha);
        await tokens.insertAll([{ value: 'twice' }]);
        await expect(tokens.insertAll([{ value: 'twice' }])).rejects.toBeInstanceOf(DatabaseError);
        expect(logger.lines.some((l) => /insert into .*failed\]$/i.test(l.message))).toBe(true);
      } finally {
        await env.close();
      }
    });

    it('without debug nothing is logged below warn', async () => {
      const logger = memoryLogger();
      const env = await openKosha(db, [Token], { logger });
      try {
        await new Tokens(Token, env.kosha).insertAll([{ value: 'quiet' }]);
        expect(logger.lines.filter((l) => l.level === 'debug' || l.level === 'info')).toEqual([]);
      } finally {
        await env.close();
      }
    });
  });
}

const postgres = DATABASES.find((d) => d.dialect === 'postgresql')!;

// The local PostgreSQL trusts its clients, so a URL with any password connects: the password must still never show.
describe.skipIf(!postgres.available)('credentials in the URL', () => {
  it('never appear in the logs or in error messages', async () => {
    const logger = memoryLogger();
    const database = await emptyDatabase(postgres);
    const url = database.url.replace(/^postgresql:\/\/([^@:/]+)@/, `postgresql://$1:${PASSWORD}@`);
    expect(url).toContain(PASSWORD);
    const kosha = await createKosha({
      orm: mikroOrm({ url, debug: true }),
      entities: [Token],
      setDefault: false,
      cache: false,
      logger,
    });
    try {
      await kosha.schema.create();
      const tokens = new Tokens(Token, kosha);
      await tokens.insertAll([{ value: 'x' }]);
      const error = await tokens.insertAll([{ value: 'x' }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(logger.lines.map((l) => l.message).join('\n')).not.toContain(PASSWORD);
    } finally {
      await kosha.close();
      await database.drop();
    }
  });
});
