import { SYNC_FLAGS } from '@crmsync/core/sync-flags';
import type { Command } from 'commander';

/**
 * The universal flags on a command, from core's flag table: `--start-date <YYYY-MM-DD>`,
 * `--dry-run`… Commander hands them over camelCased, as `parseSyncOptions` reads them.
 */
export function addSyncFlags(command: Command, use: 'sync' | 'schedule'): Command {
  for (const flag of SYNC_FLAGS) {
    if (use === 'schedule' && !flag.scheduled) continue;
    command.option(
      `--${flag.cli}${flag.valueName ? ` <${flag.valueName}>` : ''}`,
      flag.description,
    );
  }
  return command;
}
