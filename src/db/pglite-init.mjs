// Creates a new embedded database in the directory given as the only argument, then exits.
// Run as a child process by connection.ts: initdb grows PGlite's WASM heap to ~600 MB, and a
// process never gives that memory back, so the server would carry it for its whole life.
import { PGlite } from '@electric-sql/pglite';

const database = new PGlite(process.argv[2]);
await database.waitReady;
await database.close();
