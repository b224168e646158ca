// The database side of the HTTP adapter suite: entities, a repository, a Kosha instance on a fresh
// database, and readers that look at the database from outside the request.
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
  type PoolStats,
  repository,
  type Session,
  table,
  transactional,
} from '@kosha/core';
import { optionalPeer } from '../services.js';
import type { TestDatabase } from '../test-database.js';
import type { httpConformance } from './http-conformance.js';

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

/** A logger that keeps its lines. */
export function memoryLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** One database with the suite's tables, and ways to look at it from outside any request. */
export interface HttpDatabase {
  /** The instance on the database (not the process default), logging to {@link HttpDatabase.logger}. */
  readonly kosha: Kosha;
  /** Notes: `save`, `saveThenFail`, `saveAround`, `saveInBackground`, `tokenOf`. */
  readonly notes: NoteRepo;
  /** Codes: `violateAtCommit` writes a row the COMMIT refuses. */
  readonly codes: CodeRepo;
  /** What the instance logged. */
  readonly logger: ReturnType<typeof memoryLogger>;
  /** Rows with this token, read on a second connection (PostgreSQL) or a second session (SQLite: one connection). */
  count(token: string): Promise<number>;
  /** Connection pool figures (PostgreSQL). */
  pool(): PoolStats | undefined;
  /** Registers an afterCommit hook on the current transaction that records `committed:<token>`. */
  recordCommit(token: string): void;
  /** What `recordCommit` recorded, in order. */
  readonly events: string[];
  /** Closes the instance and drops the database. */
  close(): Promise<void>;
}

/**
 * Opens a Kosha instance on a fresh database of `db` with the HTTP suite's tables, a constraint its COMMIT
 * checks, and readers from outside any request: for an adapter's own tests beside {@link httpConformance}.
 */
export async function openHttpDatabase(db: TestDatabase): Promise<HttpDatabase> {
  const opened = await db.open({ maxConnections: 20 });
  const logger = memoryLogger();
  const kosha = await createKosha({
    orm: opened.backend,
    entities: [Note, Code],
    cache: false,
    setDefault: false,
    logger,
  });
  await kosha.schema.create();
  const rawSql = (statements: string[]) =>
    kosha.transaction(async () => {
      for (const sql of statements) await opened.execute(currentSession(kosha), sql);
    });
  // A constraint checked at COMMIT, not at the statement: the only way to make a COMMIT itself fail.
  if (db.dialect === 'postgresql') {
    await rawSql([
      'alter table http_codes add constraint http_codes_code_deferred unique (code) deferrable initially deferred',
      "insert into http_codes (code) values ('taken')",
    ]);
  } else {
    await rawSql([
      'drop table http_codes',
      'create table http_codes (id integer primary key autoincrement, code text not null, ' +
        'note_id integer null references http_notes (id) deferrable initially deferred)',
    ]);
  }
  const reader = db.dialect === 'postgresql' ? await pgReader(opened.url) : undefined;
  const notes = new NoteRepo(kosha);
  const events: string[] = [];
  return {
    kosha,
    notes,
    codes: new CodeRepo(kosha),
    logger,
    events,
    async count(token) {
      if (reader) return reader.count(token);
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
      await opened.drop();
    },
  };
}

/** Counts notes on a connection of its own, outside the backend's pool (PostgreSQL). */
async function pgReader(
  url: string,
): Promise<{ count(token: string): Promise<number>; end(): Promise<void> }> {
  const { default: pg } = await optionalPeer(() => import('pg'), 'pg', 'PostgreSQL');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async count(token) {
      const r = await client.query('select count(*)::int as n from http_notes where token = $1', [token]);
      return r.rows[0].n as number;
    },
    end: () => client.end(),
  };
}
