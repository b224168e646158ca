import { Writable } from 'node:stream';
import { createKosha, isPinoLogger, type Kosha, type Logger, pinoLogger } from '@kosha/core';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import winston from 'winston';
import { FakeBackend } from './cache/fake-backend.js';

/** The JSON lines a logger wrote, parsed. */
function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

const open: Kosha[] = [];
async function koshaWith(logger: Logger, orm = new FakeBackend()) {
  const kosha = await createKosha({ orm, cache: false, entities: [], logger, setDefault: false });
  open.push(kosha);
  return kosha;
}
afterEach(async () => {
  for (const k of open.splice(0)) await k.close();
});

describe('a pino logger passed as logger', () => {
  it('receives an error as an object: the JSON line carries its message and stack', async () => {
    const { lines, stream } = sink();
    const kosha = await koshaWith(pino({ level: 'debug' }, stream));
    const error = new TypeError('connection reset');
    kosha.logger.error('request failed', error);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'request failed',
      err: { type: 'TypeError', message: 'connection reset', stack: error.stack },
    });
    expect(String((lines[0]!.err as { stack: string }).stack)).toMatch(/connection reset\n\s+at /);
  });

  it('keeps the text of warn, info and debug, with no format-string surprises', async () => {
    const { lines, stream } = sink();
    const kosha = await koshaWith(pino({ level: 'debug' }, stream));
    kosha.logger.warn('detached @transactional use');
    kosha.logger.info('cache disabled');
    kosha.logger.debug("[sql] select * from t where name like '%s%d' [1 ms]");
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'detached @transactional use'],
      [30, 'cache disabled'],
      [20, "[sql] select * from t where name like '%s%d' [1 ms]"],
    ]);
  });

  it("honours the logger's own errorKey, level and child bindings", async () => {
    const { lines, stream } = sink();
    const base = pino({ level: 'warn', errorKey: 'error' }, stream).child({ service: 'orders' });
    const kosha = await koshaWith(base);
    kosha.logger.info('not written: below warn');
    kosha.logger.error('rollback failed', new Error('socket closed'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'orders',
      msg: 'rollback failed',
      error: { message: 'socket closed', type: 'Error' },
    });
  });

  it('logs a thrown non-Error under err', async () => {
    const { lines, stream } = sink();
    const kosha = await koshaWith(pino(stream));
    kosha.logger.error('an afterCommit hook failed', 'boom');
    kosha.logger.error('two things', new Error('first'), { extra: 1 });
    expect(lines[0]).toMatchObject({ msg: 'an afterCommit hook failed', err: 'boom' });
    expect(lines[1]).toMatchObject({ msg: 'two things', err: { message: 'first' }, details: [{ extra: 1 }] });
  });

  it('carries the errors Kosha logs itself (a failing close of the backend)', async () => {
    const { lines, stream } = sink();
    const orm = new FakeBackend();
    orm.close = async () => {
      throw new Error('pool already ended');
    };
    const kosha = await createKosha({
      orm,
      cache: false,
      entities: [],
      logger: pino(stream),
      setDefault: false,
    });
    await kosha.close();
    expect(lines[0]).toMatchObject({ msg: 'closing failed', err: { message: 'pool already ended' } });
    expect((lines[0]!.err as { stack: string }).stack).toMatch(/^Error: pool already ended\n/);
  });

  it('is recognised, children too; console and winston are not', () => {
    const logger = pino();
    expect(isPinoLogger(logger)).toBe(true);
    expect(isPinoLogger(logger.child({ a: 1 }))).toBe(true);
    expect(isPinoLogger(console)).toBe(false);
    expect(isPinoLogger(winston.createLogger())).toBe(false);
    expect(isPinoLogger(null)).toBe(false);
  });

  it('pinoLogger wraps a logger it does not recognise, once', () => {
    const calls: unknown[][] = [];
    const objectFirst = {
      debug: (...a: unknown[]) => calls.push(['debug', ...a]),
      info: (...a: unknown[]) => calls.push(['info', ...a]),
      warn: (...a: unknown[]) => calls.push(['warn', ...a]),
      error: (...a: unknown[]) => calls.push(['error', ...a]),
    };
    const wrapped = pinoLogger(objectFirst);
    expect(pinoLogger(wrapped as never)).toBe(wrapped);
    const error = new Error('x');
    wrapped.error('failed', error);
    wrapped.info('plain');
    expect(calls).toEqual([
      ['error', error, 'failed'],
      ['info', 'plain'],
    ]);
  });
});

describe('a winston logger passed as logger', () => {
  const winstonTo = (stream: Writable, format = winston.format.json()) =>
    winston.createLogger({ level: 'debug', format, transports: [new winston.transports.Stream({ stream })] });

  it('receives the error itself: the JSON line carries its message and stack', async () => {
    const { lines, stream } = sink();
    const kosha = await koshaWith(winstonTo(stream));
    const error = new Error('deadlock detected');
    kosha.logger.error('request failed', error);
    expect(lines).toHaveLength(1);
    // winston's own reading of (message, error): the error's message appended, its stack kept.
    expect(lines[0]).toMatchObject({
      level: 'error',
      message: 'request failed deadlock detected',
      stack: error.stack,
    });
  });

  it("works with winston's errors() format too, and keeps the text of the other levels", async () => {
    const { lines, stream } = sink();
    const format = winston.format.combine(winston.format.errors({ stack: true }), winston.format.json());
    const kosha = await koshaWith(winstonTo(stream, format));
    kosha.logger.error('commit failed', new Error('serialization failure'));
    kosha.logger.warn('slow');
    kosha.logger.info('ready');
    kosha.logger.debug('[sql] select 1');
    expect(lines[0]).toMatchObject({ message: 'commit failed serialization failure' });
    expect(String(lines[0]!.stack)).toMatch(/^Error: serialization failure\n\s+at /);
    expect(lines.slice(1).map((l) => [l.level, l.message])).toEqual([
      ['warn', 'slow'],
      ['info', 'ready'],
      ['debug', '[sql] select 1'],
    ]);
  });
});
