/** `crmsync` exit codes (also in `crmsync --help` and the README). */
export const EXIT = {
  success: 0,
  failed: 1,
  usage: 2,
  partial: 3,
} as const;

export function exitCodeForRuns(statuses: string[]): number {
  if (statuses.includes('failed')) return EXIT.failed;
  if (statuses.includes('partial')) return EXIT.partial;
  return EXIT.success;
}
