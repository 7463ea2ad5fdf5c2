/**
 * Node's `util.inspect.custom`, reached through the global symbol registry so the browser path never imports
 * `node:util` (in a browser the symbol simply goes unused).
 */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
