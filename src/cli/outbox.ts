import type { Config } from '../config.ts';
import { outboxEntryView } from '../contracts/admin/outbox.ts';
import { listOutbox } from '../core/mail/outbox.ts';
import { openDatabase } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import type { Output } from './commands.ts';

/** `gatehouse outbox [--to <email>] [--limit N] [--json]`: emails the server wrote, newest first. */
export async function showOutbox(config: Config, out: Output, options: { to: string | undefined; limit: number }): Promise<void> {
  const database = await openDatabase({ ...config, logLevel: 'warn' });
  try {
    await migrate(database);
    const items = (await listOutbox(database.db, options)).map(outboxEntryView);
    out.print(items, () =>
      items.length === 0
        ? 'No emails.'
        : items
            .map((item) =>
              [
                `${item.createdAt}  ${item.status}${item.attempts > 0 ? ` (${item.attempts} attempts)` : ''}  to ${item.to}  [${item.kind}]`,
                `Subject: ${item.subject}`,
                ...(item.lastError === null ? [] : [`Last error: ${item.lastError}`]),
                '',
                item.text === '' ? '(body erased after delivery)' : item.text.trimEnd(),
              ].join('\n'),
            )
            .join(`\n${'-'.repeat(72)}\n`),
    );
  } finally {
    await database.close();
  }
}
