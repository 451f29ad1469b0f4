// The package ships index.d.ts but its "exports" map has no "types" condition, so
// NodeNext resolution cannot see it. Its API is better-sqlite3's (the cipher is chosen
// with pragmas), so borrow those typings.
declare module 'better-sqlite3-multiple-ciphers' {
  import Database = require('better-sqlite3');
  export = Database;
}
