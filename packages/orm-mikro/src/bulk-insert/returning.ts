import type { SqlEntityManager } from '@mikro-orm/sql';
import type { BulkTarget } from './insert-new.js';

/** MariaDB has `INSERT … RETURNING` since 10.5; the answer per driver, asked once. */
const mariadbReturning = new WeakMap<object, Promise<boolean>>();

/** The database returns generated values with `INSERT … RETURNING` (not MySQL; MariaDB from 10.5). */
export async function supportsReturning(em: SqlEntityManager, target: BulkTarget): Promise<boolean> {
  if (target.dialect === 'sqlite' || target.dialect === 'postgresql') return true;
  if (!target.mariadb) return false;
  const driver = em.getDriver();
  let answer = mariadbReturning.get(driver);
  if (!answer) {
    answer = em
      .getConnection('write')
      .execute('select version() as v', [], 'get', em.getTransactionContext())
      .then((row) => {
        const m = /^(\d+)\.(\d+)/.exec(String((row as { v?: unknown } | undefined)?.v ?? ''));
        return !!m && (Number(m[1]) > 10 || (Number(m[1]) === 10 && Number(m[2]) >= 5));
      });
    mariadbReturning.set(driver, answer);
    answer.catch(() => mariadbReturning.delete(driver));
  }
  return answer;
}
