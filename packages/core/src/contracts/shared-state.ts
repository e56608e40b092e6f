/**
 * A request quota shared by every process using one store: fixed windows of `windowMs`
 * (aligned on the epoch) per key, each granting at most `limit` requests. A vendor that
 * counts per user (Google's 60 reads a minute) sees every CLI run, worker and server of one
 * installation as one caller, so the quota is kept where they all meet: the database.
 */
export interface RequestBudgets {
  /**
   * Takes one request from the current window of `key`: 0 when granted, else the ms until
   * the window ends (nothing taken; ask again then).
   */
  take(key: string, limit: number, windowMs: number, now?: Date): Promise<number>;
}

/**
 * Small named values a source leaves between runs of one entity (a spreadsheet's Drive
 * `modifiedTime` at its last complete read). The engine reads them before a run and writes
 * what the read reported only after a complete, non-dry read.
 */
export interface SourceMarks {
  get(crmSource: string, entity: string): Promise<Record<string, string>>;
  set(crmSource: string, entity: string, marks: Record<string, string>): Promise<void>;
}
