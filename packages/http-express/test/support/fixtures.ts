// The database side of the HTTP adapter suite: entities, a repository, a Kosha instance per database, and
// readers that look at the database from outside the request. Shared by @kosha/http-express and
// @kosha/http-fastify (imported by path; test code only).

import { realService, scratchDatabase } from '@kosha/conformance';
import {
  afterCommit,
  column,
  createKosha,
  currentSession,
  DbRepo,
  entity,
  id,
  type Kosha,
  type Logger,
  type NativeSession,
  type PoolStats,
  repository,
  type Session,
  table,
  transactional,
} from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import pg from 'pg';

@entity
@table('http_notes')
export class Note {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 80 }) token!: string;
}

/** A row whose deferred constraint can be violated at COMMIT: unique `code` on PostgreSQL, `note_id` → notes on SQLite. */
@entity
@table('http_codes')
export class Code {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 80 }) code!: string;
  @column({ type: 'integer', nullable: true }) noteId!: number | null;
}

@repository
export class NoteRepo extends DbRepo<Note> {
  constructor(kosha: Kosha) {
    super(Note, kosha);
  }

  @transactional
  async save(token: string): Promise<Note> {
    return (await this.insertAll([{ token }]))[0]!;
  }

  /** Saves, then fails: inside a request transaction this marks it rollback-only. */
  @transactional
  async saveThenFail(token: string): Promise<never> {
    await this.save(token);
    throw new Error(`saveThenFail(${token})`);
  }

  @transactional({ readOnly: true })
  async tokenOf(noteId: number): Promise<string | undefined> {
    return (await this.getById(noteId))?.token;
  }

  /** Saves `first`, waits for `between`, saves `second`: one method, one transaction. */
  @transactional
  async saveAround(first: string, between: () => Promise<void>, second: string): Promise<void> {
    await this.save(first);
    await between();
    await this.save(second);
  }

  /** Background work: records the session it ran on. */
  @transactional
  async saveInBackground(token: string): Promise<Session> {
    await this.save(token);
    return currentSession(this.kosha);
  }
}

@repository
export class CodeRepo extends DbRepo<Code> {
  constructor(kosha: Kosha) {
    super(Code, kosha);
  }

  /** Inserts a row that breaks the deferred constraint: the statement succeeds, the COMMIT fails. */
  @transactional
  async violateAtCommit(): Promise<void> {
    await this.insertAll([{ code: 'taken', noteId: 987_654_321 }]);
  }
}

/** A database the suite runs against. */
export interface TestDatabase {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** PostgreSQL's admin URL; unset for SQLite or when PostgreSQL is not reachable here. */
  readonly adminUrl?: string;
  readonly available: boolean;
}

const postgres = await realService('postgresql');

/** SQLite in memory always; PostgreSQL when reachable (CI: always). */
export const DATABASES: readonly TestDatabase[] = [
  { name: 'SQLite', available: true },
  { name: 'PostgreSQL', available: !!postgres, adminUrl: postgres },
];

/** A logger that keeps its lines. */
export function memoryLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** One database with the suite's tables, and ways to look at it from outside any request. */
export interface Database {
  readonly kosha: Kosha;
  readonly notes: NoteRepo;
  readonly codes: CodeRepo;
  readonly logger: ReturnType<typeof memoryLogger>;
  /** Rows with this token, read on a second connection (PostgreSQL) or a second session (SQLite: one connection). */
  count(token: string): Promise<number>;
  /** Connection pool figures (PostgreSQL). */
  pool(): PoolStats | undefined;
  /** Registers an afterCommit hook on the current transaction that records `committed:<token>`. */
  recordCommit(token: string): void;
  /** What `recordCommit` recorded, in order. */
  readonly events: string[];
  close(): Promise<void>;
}

async function rawSql(kosha: Kosha, statements: string[]): Promise<void> {
  await kosha.transaction(async () => {
    const em = currentSession(kosha).native as NativeSession;
    for (const sql of statements) await em.execute(sql);
  });
}

/** Opens a Kosha instance on a fresh database (a scratch database on PostgreSQL) with the suite's tables. */
export async function openDatabase(db: TestDatabase): Promise<Database> {
  const scratch = db.adminUrl ? await scratchDatabase(db.adminUrl) : undefined;
  const logger = memoryLogger();
  const kosha = await createKosha({
    orm: mikroOrm({
      url: scratch?.url ?? 'sqlite::memory:',
      ...(scratch ? { pool: { min: 0, max: 20 } } : {}),
    }),
    entities: [Note, Code],
    cache: false,
    setDefault: false,
    logger,
  });
  await kosha.schema.create();
  if (scratch) {
    await rawSql(kosha, [
      'alter table http_codes add constraint http_codes_code_deferred unique (code) deferrable initially deferred',
      "insert into http_codes (code) values ('taken')",
    ]);
  } else {
    await rawSql(kosha, [
      'drop table http_codes',
      'create table http_codes (id integer primary key autoincrement, code text not null, ' +
        'note_id integer null references http_notes (id) deferrable initially deferred)',
    ]);
  }
  const reader = scratch ? new pg.Client({ connectionString: scratch.url }) : undefined;
  await reader?.connect();
  const notes = new NoteRepo(kosha);
  const events: string[] = [];
  return {
    kosha,
    notes,
    codes: new CodeRepo(kosha),
    logger,
    events,
    async count(token) {
      if (reader) {
        const r = await reader.query('select count(*)::int as n from http_notes where token = $1', [token]);
        return r.rows[0].n as number;
      }
      const session = kosha.orm.openSession();
      try {
        return await session.count(Note, { token });
      } finally {
        await session.close();
      }
    },
    pool: () => kosha.orm.poolStats?.(),
    recordCommit(token) {
      afterCommit(() => {
        events.push(`committed:${token}`);
      });
    },
    async close() {
      await reader?.end();
      await kosha.close();
      await scratch?.drop();
    },
  };
}
