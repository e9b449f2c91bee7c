#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { DataDirLockedError, DataDirUnusableError } from '../db/lock.ts';
import { GatehouseError } from '../core/errors.ts';
import { UnreadableSecretError } from '../core/secret-box.ts';
import { BackupError } from '../db/backup.ts';
import { auditTail, auditVerify } from './audit.ts';
import { backup, newSecretKey, restore, rotateSecrets } from './operations.ts';
import { runExport, runImport } from './import.ts';
import { showOutbox } from './outbox.ts';
import {
  createClient,
  createProject,
  listClients,
  listProjects,
  rotateClientSecret,
  rotateKeys,
  runMigrations,
  type Output,
} from './commands.ts';
import { createOperator, listOperators } from './operators.ts';
import { startServer } from './server.ts';
import { actOnUser, findUsers, showUser, type UserAction } from './users.ts';

const USAGE = `Usage: gatehouse <command> [--json]

Commands:
  start                                 start the server (migrates first)
  migrate                               apply pending database migrations
  projects list                         list projects
  projects create <name>                create a project
  clients list <projectId>              list a project's client applications
  clients create <projectId> <name>     create a client application; OAuth options:
      [--redirect-uri URI]... [--post-logout-redirect-uri URI]... [--type public|confidential]
      [--grant-type G]... [--scope S]... [--first-party] [--origin URL]...
  clients rotate-secret <projectId> <clientId>   new secret for a confidential client (shown once)
  keys rotate                           sign new tokens with a fresh key
  audit tail [--limit N] [--follow]     print the newest audit-log entries (and new ones with --follow)
  audit verify                          check the audit log's hash chain (exit 1 if broken)
  outbox [--to EMAIL] [--limit N]       emails the server wrote, newest first (the development outbox)
  backup FILE                           online backup of the embedded database to FILE (.tar.gz)
  restore FILE --data-dir DIR [--force] restore a backup into DIR (empty, or emptied with --force)
  secrets new-key                       print a random key for GATEHOUSE_SECRET_KEY
  secrets rotate                        re-encrypt stored secrets under GATEHOUSE_SECRET_KEY
  users find [QUERY] [--project ID] [--cursor C] [--limit N]
                                        find users by email, account or name prefix, number or id
  users show <id>                       a user: ids, status, MFA, lockout, sessions, keys
  users disable|enable|unlock|revoke-sessions|send-reset <id>
                                        act on a user (an audit event names the CLI)
  operators create <email> [--role admin|support]
                                        a console operator; prints a generated password once
  operators list                        console operators
  import --project ID [--format gatehouse|laravel|fastapi|medplum] [--api-keys FILE]
         [--dry-run] [--atomic] [--send-reset] FILE|-
                                        import users from another product (docs/migrating.md)
  export --project ID [--include-totp]  a project's users as JSON Lines on stdout

Configuration comes from the environment (see README). With the embedded database, commands
other than start refuse to run while a server holds the data directory: use the admin API then
(backup and secrets rotate do, given GATEHOUSE_URL and GATEHOUSE_ADMIN_TOKEN). See docs/operations-backup.md.`;

function output(json: boolean): Output {
  return {
    json,
    print(value, text) {
      process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      follow: { type: 'boolean', default: false },
      limit: { type: 'string', default: '20' },
      to: { type: 'string' },
      'data-dir': { type: 'string' },
      force: { type: 'boolean', default: false },
      project: { type: 'string' },
      cursor: { type: 'string' },
      role: { type: 'string', default: 'admin' },
      format: { type: 'string' },
      'api-keys': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      atomic: { type: 'boolean', default: false },
      'send-reset': { type: 'boolean', default: false },
      'include-totp': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      type: { type: 'string' },
      'grant-type': { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      'first-party': { type: 'boolean', default: false },
      origin: { type: 'string', multiple: true },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 1 : 0;
  }
  const config = loadConfig();
  const out = output(values.json);
  // These take a file name where other commands take a sub-command.
  if (command === 'backup' && sub !== undefined && rest.length === 0) {
    await backup(config, out, sub);
    return 0;
  }
  if (command === 'restore' && sub !== undefined && rest.length === 0 && values['data-dir'] !== undefined) {
    await restore(out, sub, resolve(values['data-dir']), values.force);
    return 0;
  }
  if (command === 'import' && values.project !== undefined && sub !== undefined && rest.length === 0) {
    return runImport(config, out, {
      projectId: values.project,
      file: sub,
      format: values.format,
      apiKeys: values['api-keys'],
      dryRun: values['dry-run'],
      atomic: values.atomic,
      sendReset: values['send-reset'],
    });
  }
  if (command === 'export' && values.project !== undefined && sub === undefined) {
    await runExport(config, { projectId: values.project, format: values.format, includeTotp: values['include-totp'] });
    return 0;
  }
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'start':
      await startServer(config);
      return -1;
    case 'migrate':
      await runMigrations(config, out);
      return 0;
    case 'projects list':
      await listProjects(config, out);
      return 0;
    case 'projects create':
      if (rest[0] === undefined) break;
      await createProject(config, out, rest.join(' '));
      return 0;
    case 'clients list':
      if (rest[0] === undefined) break;
      await listClients(config, out, rest[0]);
      return 0;
    case 'clients create':
      if (rest[0] === undefined || rest[1] === undefined) break;
      if (values.type !== undefined && values.type !== 'public' && values.type !== 'confidential') break;
      await createClient(config, out, rest[0], {
        name: rest.slice(1).join(' '),
        ...(values['redirect-uri'] && { redirectUris: values['redirect-uri'] }),
        ...(values['post-logout-redirect-uri'] && { postLogoutRedirectUris: values['post-logout-redirect-uri'] }),
        ...(values.type !== undefined && { type: values.type }),
        ...(values['grant-type'] && { grantTypes: values['grant-type'] }),
        ...(values.scope && { scopes: values.scope.flatMap((scope) => scope.split(' ')).filter((scope) => scope !== '') }),
        ...(values['first-party'] && { firstParty: true }),
        ...(values.origin && { allowedOrigins: values.origin }),
      });
      return 0;
    case 'clients rotate-secret':
      if (rest[0] === undefined || rest[1] === undefined) break;
      await rotateClientSecret(config, out, rest[0], rest[1]);
      return 0;
    case 'audit tail':
      if (!/^[0-9]{1,5}$/.test(values.limit)) break;
      await auditTail(config, out, { limit: Math.max(1, Number(values.limit)), follow: values.follow });
      return 0;
    case 'audit verify':
      return (await auditVerify(config, out)) ? 0 : 1;
    case 'outbox':
      if (sub !== undefined || !/^[0-9]{1,3}$/.test(values.limit)) break;
      await showOutbox(config, out, { to: values.to, limit: Math.max(1, Number(values.limit)) });
      return 0;
    case 'secrets new-key':
      newSecretKey(out);
      return 0;
    case 'secrets rotate':
      await rotateSecrets(config, out);
      return 0;
    case 'users find':
      if (rest.length > 1 || !/^[0-9]{1,3}$/.test(values.limit)) break;
      await findUsers(config, out, {
        ...(rest[0] !== undefined && { query: rest[0] }),
        ...(values.project && { projectId: values.project }),
        ...(values.cursor && { cursor: values.cursor }),
        limit: Math.max(1, Number(values.limit)),
      });
      return 0;
    case 'users show':
      if (rest.length !== 1 || rest[0] === undefined) break;
      await showUser(config, out, rest[0]);
      return 0;
    case 'users disable':
    case 'users enable':
    case 'users unlock':
    case 'users revoke-sessions':
    case 'users send-reset':
      if (rest.length !== 1 || rest[0] === undefined) break;
      await actOnUser(config, out, sub as UserAction, rest[0]);
      return 0;
    case 'operators create':
      if (rest.length !== 1 || rest[0] === undefined || (values.role !== 'admin' && values.role !== 'support')) break;
      await createOperator(config, out, { email: rest[0], role: values.role });
      return 0;
    case 'operators list':
      await listOperators(config, out);
      return 0;
    case 'keys rotate':
      await rotateKeys(config, out);
      return 0;
    default:
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const known = [ConfigError, DataDirLockedError, DataDirUnusableError, GatehouseError, BackupError, UnreadableSecretError];
    // Errors that explain themselves in one line; anything else is a bug, shown with its stack.
    if (error instanceof Error && known.some((type) => error instanceof type)) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
    } else {
      process.stderr.write(`gatehouse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  },
);
