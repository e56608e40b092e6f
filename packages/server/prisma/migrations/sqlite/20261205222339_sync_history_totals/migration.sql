-- CreateTable
CREATE TABLE "sync_history_totals" (
    "crm_source" TEXT NOT NULL,
    "sync_type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error_kind" TEXT NOT NULL DEFAULT '',
    "runs" BIGINT NOT NULL DEFAULT 0,
    "records_processed" BIGINT NOT NULL DEFAULT 0,
    "records_created" BIGINT NOT NULL DEFAULT 0,
    "records_updated" BIGINT NOT NULL DEFAULT 0,
    "records_failed" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("crm_source", "sync_type", "status", "error_kind")
);


-- Written by hand below: Prisma 6 cannot declare triggers (see the README).
-- The totals of the runs already stored.
INSERT INTO "sync_history_totals" ("crm_source", "sync_type", "status", "error_kind", "runs",
  "records_processed", "records_created", "records_updated", "records_failed")
SELECT "crm_source", "sync_type", "status", COALESCE("error_kind", ''), count(*),
  sum("records_processed"), sum("records_created"), sum("records_updated"), sum("records_failed")
FROM "sync_history"
GROUP BY "crm_source", "sync_type", "status", COALESCE("error_kind", '');

-- Each change of a run moves its counts: the old row's taken out of its group, the new row's
-- added to its group. The three triggers on sync_history hand their signed changes to one
-- place, an INSERT into the view below, whose INSTEAD OF trigger adds them to the group's row
-- (an upsert: the group's row is made on its first run).
CREATE VIEW "sync_history_totals_change" AS SELECT * FROM "sync_history_totals" WHERE 0;

CREATE TRIGGER "sync_history_totals_change_apply" INSTEAD OF INSERT ON "sync_history_totals_change"
BEGIN
  INSERT INTO "sync_history_totals" ("crm_source", "sync_type", "status", "error_kind", "runs",
    "records_processed", "records_created", "records_updated", "records_failed")
  VALUES (NEW."crm_source", NEW."sync_type", NEW."status", NEW."error_kind", NEW."runs",
    NEW."records_processed", NEW."records_created", NEW."records_updated", NEW."records_failed")
  ON CONFLICT ("crm_source", "sync_type", "status", "error_kind") DO UPDATE SET
    "runs" = "runs" + excluded."runs",
    "records_processed" = "records_processed" + excluded."records_processed",
    "records_created" = "records_created" + excluded."records_created",
    "records_updated" = "records_updated" + excluded."records_updated",
    "records_failed" = "records_failed" + excluded."records_failed";
END;

CREATE TRIGGER "sync_history_totals_insert" AFTER INSERT ON "sync_history"
BEGIN
  INSERT INTO "sync_history_totals_change" VALUES (NEW."crm_source", NEW."sync_type",
    NEW."status", COALESCE(NEW."error_kind", ''), 1, NEW."records_processed",
    NEW."records_created", NEW."records_updated", NEW."records_failed");
END;

CREATE TRIGGER "sync_history_totals_delete" AFTER DELETE ON "sync_history"
BEGIN
  INSERT INTO "sync_history_totals_change" VALUES (OLD."crm_source", OLD."sync_type",
    OLD."status", COALESCE(OLD."error_kind", ''), -1, -OLD."records_processed",
    -OLD."records_created", -OLD."records_updated", -OLD."records_failed");
END;

-- Heartbeats and checkpoints change no counted column: the WHEN clause lets them pass.
CREATE TRIGGER "sync_history_totals_update" AFTER UPDATE ON "sync_history"
WHEN OLD."crm_source" IS NOT NEW."crm_source" OR OLD."sync_type" IS NOT NEW."sync_type"
  OR OLD."status" IS NOT NEW."status" OR OLD."error_kind" IS NOT NEW."error_kind"
  OR OLD."records_processed" IS NOT NEW."records_processed"
  OR OLD."records_created" IS NOT NEW."records_created"
  OR OLD."records_updated" IS NOT NEW."records_updated"
  OR OLD."records_failed" IS NOT NEW."records_failed"
BEGIN
  INSERT INTO "sync_history_totals_change" VALUES (OLD."crm_source", OLD."sync_type",
    OLD."status", COALESCE(OLD."error_kind", ''), -1, -OLD."records_processed",
    -OLD."records_created", -OLD."records_updated", -OLD."records_failed");
  INSERT INTO "sync_history_totals_change" VALUES (NEW."crm_source", NEW."sync_type",
    NEW."status", COALESCE(NEW."error_kind", ''), 1, NEW."records_processed",
    NEW."records_created", NEW."records_updated", NEW."records_failed");
END;
