import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';

/** The open SQLCipher connection as the rest of the store sees it. */
export type Db = BetterSqlite3.Database;
