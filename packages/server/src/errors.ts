// Domain errors shared by the rooms (api, schedules, scheduler): each edge maps them to its own
// wire shape (GraphQL results, CLI exit codes).
/** A start refused because the (crm, entity) already has a run in progress. */
export class RunAlreadyActiveError extends Error {
  readonly crm: string;
  readonly entity: string;
  readonly runId: string;

  constructor(crm: string, entity: string, runId: string, message?: string) {
    super(
      message ??
        `A ${crm} ${entity} sync is already running (run ${runId}); cancel it or wait for it to finish`,
    );
    this.name = 'RunAlreadyActiveError';
    this.crm = crm;
    this.entity = entity;
    this.runId = runId;
  }
}

/** Something named by id (run, schedule) does not exist. */
export class NotFoundError extends Error {
  readonly what: string;
  readonly id: string;

  constructor(what: string, id: string) {
    super(`No ${what} with id ${id}`);
    this.name = 'NotFoundError';
    this.what = what;
    this.id = id;
  }
}
