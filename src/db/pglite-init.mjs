// Creates a new embedded database in the directory given as the only argument, then exits.
// Run as a child process by connection.ts: initdb grows PGlite's WASM heap to ~600 MB, and a
// process never gives that memory back, so the server would carry it for its whole life.
// A failure is one line on stderr, `errno <NAME>` when the file system refused (PGlite reports
// WASI errno numbers), so the server can say why in words.
import { PGlite } from '@electric-sql/pglite';

const WASI_ERRNO = { 2: 'EACCES', 19: 'EDQUOT', 44: 'ENOENT', 51: 'ENOSPC', 63: 'EPERM', 69: 'EROFS' };

try {
  const database = new PGlite(process.argv[2]);
  await database.waitReady;
  await database.close();
} catch (error) {
  const errno = typeof error?.errno === 'number' ? WASI_ERRNO[error.errno] : undefined;
  process.stderr.write(errno === undefined ? `${error?.message ?? String(error)}\n` : `errno ${errno}\n`);
  process.exit(1);
}
