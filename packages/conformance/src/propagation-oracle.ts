import { PROPAGATIONS, type Propagation } from '@kosha/core';

/** One cell of the propagation matrix: an outer scope writes A, calls an inner scope that writes B. */
export interface PropagationCase {
  readonly outer: Propagation;
  readonly inner: Propagation;
  /** The inner scope throws after writing B (the outer scope catches it). */
  readonly innerThrows: boolean;
  /** The outer scope throws after the inner call returned or was caught. */
  readonly outerThrows: boolean;
}

/** What must be true afterwards. */
export interface PropagationOutcome {
  /** Name of the error class the outer call rejects with, or null. */
  readonly outerError: string | null;
  /** Name of the error class the inner call rejects with, or null. */
  readonly innerError: string | null;
  /** Row A is in the database. */
  readonly a: boolean;
  /** Row B is in the database. */
  readonly b: boolean;
}

const STARTS_TRANSACTION: readonly Propagation[] = ['REQUIRED', 'REQUIRES_NEW', 'NESTED'];

/**
 * Spring's semantics, written as a plain table so the suite does not re-use the implementation:
 * given how the outer and inner scopes are declared, where does each write end up?
 * `concurrent` is false for single-connection databases (SQLite), where a second transaction
 * inside a transaction fails fast with IllegalTransactionStateError instead of waiting forever.
 */
export function expectedOutcome(c: PropagationCase, concurrent: boolean): PropagationOutcome {
  if (c.outer === 'MANDATORY')
    return { outerError: 'TransactionRequiredError', innerError: null, a: false, b: false };
  const outerTx = STARTS_TRANSACTION.includes(c.outer);

  // How the inner scope runs: joins the outer transaction, gets a new one, a savepoint, none — or fails to start.
  let mode: 'join' | 'new' | 'nested' | 'none' | undefined;
  let startError: string | null = null;
  switch (c.inner) {
    case 'REQUIRED':
      mode = outerTx ? 'join' : 'new';
      break;
    case 'SUPPORTS':
      mode = outerTx ? 'join' : 'none';
      break;
    case 'MANDATORY':
      if (outerTx) mode = 'join';
      else startError = 'TransactionRequiredError';
      break;
    case 'REQUIRES_NEW':
      if (outerTx && !concurrent) startError = 'IllegalTransactionStateError';
      else mode = 'new';
      break;
    case 'NOT_SUPPORTED':
      if (outerTx && !concurrent) startError = 'IllegalTransactionStateError';
      else mode = 'none';
      break;
    case 'NEVER':
      if (outerTx) startError = 'IllegalTransactionStateError';
      else mode = 'none';
      break;
    case 'NESTED':
      mode = outerTx ? 'nested' : 'new';
      break;
  }

  const rollbackOnly = mode === 'join' && c.innerThrows;
  const outerCommits = outerTx ? !c.outerThrows && !rollbackOnly : true;
  const outerError = c.outerThrows ? 'Boom' : outerTx && rollbackOnly ? 'UnexpectedRollbackError' : null;
  const innerError = startError ?? (c.innerThrows ? 'Boom' : null);

  let b: boolean;
  if (startError) b = false;
  else if (mode === 'none')
    b = true; // written outside any transaction: each write commits on its own
  else if (mode === 'new') b = !c.innerThrows;
  else if (mode === 'nested') b = !c.innerThrows && outerCommits;
  else b = outerCommits;

  return { outerError, innerError, a: outerTx ? outerCommits : true, b };
}

/** Every cell: 7 outer modes × 7 inner modes × inner throws or not × outer throws or not. */
export function propagationMatrix(): PropagationCase[] {
  const modes = PROPAGATIONS;
  const out: PropagationCase[] = [];
  for (const outer of modes)
    for (const inner of modes)
      for (const innerThrows of [false, true])
        for (const outerThrows of [false, true]) out.push({ outer, inner, innerThrows, outerThrows });
  return out;
}
