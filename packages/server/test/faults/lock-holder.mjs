// Another process holding the SQLite write lock (BEGIN IMMEDIATE) for `ms` milliseconds:
// `node lock-holder.mjs <file> <ms>` (plain JavaScript: no transpiler to wait for); prints "locked" once it holds it.
import Database from 'better-sqlite3';

const [file, ms] = process.argv.slice(2);
const db = new Database(file, { timeout: 5_000 });
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
}, Number(ms));
