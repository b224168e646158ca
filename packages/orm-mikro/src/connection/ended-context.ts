/**
 * A transaction context that refuses everything, for the EntityManager of a session that has ended:
 * code that kept a reference to it (`const em = this.em` before an await, an entity's lazy relation)
 * gets the session's `ScopeEndedError` instead of MikroORM quietly running the statement in autocommit
 * on a fresh connection, after the request or transaction it belonged to is over.
 */
export function endedContext(reason: () => Error): object {
  return new Proxy(
    {},
    {
      get(_target, property) {
        // Not a thenable, and printable in a debugger.
        if (property === 'then' || typeof property === 'symbol') return undefined;
        throw reason();
      },
    },
  );
}
