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

    CONSTRAINT "sync_history_totals_pkey" PRIMARY KEY ("crm_source","sync_type","status","error_kind")
);


-- Written by hand below: Prisma 6 cannot declare triggers (see the README).
-- The totals of the runs already stored.
INSERT INTO "sync_history_totals" ("crm_source", "sync_type", "status", "error_kind", "runs",
  "records_processed", "records_created", "records_updated", "records_failed")
SELECT "crm_source", "sync_type", "status", COALESCE("error_kind", ''), count(*),
  sum("records_processed"), sum("records_created"), sum("records_updated"), sum("records_failed")
FROM "sync_history"
GROUP BY "crm_source", "sync_type", "status", COALESCE("error_kind", '');

-- Each statement that changes runs moves their counts once per group, from its transition
-- tables: the old rows' taken out of their groups, the new rows' added (an upsert: a group's
-- row is made on its first run). Per statement rather than per row, so that a bulk write of a
-- million runs adds to a group's row once, not a million times (a row updated over and over in
-- one transaction leaves a chain of versions each next update walks). A statement that changes
-- no counted column (heartbeats, checkpoints) nets to zero in every group and writes nothing.
-- Tables are named unqualified, so they resolve in the schema the connection works in.
CREATE FUNCTION "sync_history_totals_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added CONSTANT text := 'SELECT crm_source, sync_type, status, COALESCE(error_kind, '''') AS error_kind,
    1 AS runs, records_processed, records_created, records_updated, records_failed FROM new_rows';
  removed CONSTANT text := 'SELECT crm_source, sync_type, status, COALESCE(error_kind, '''') AS error_kind,
    -1 AS runs, -records_processed AS records_processed, -records_created AS records_created,
    -records_updated AS records_updated, -records_failed AS records_failed FROM old_rows';
BEGIN
  EXECUTE 'INSERT INTO sync_history_totals AS t (crm_source, sync_type, status, error_kind, runs,
      records_processed, records_created, records_updated, records_failed)
    SELECT crm_source, sync_type, status, error_kind, sum(runs), sum(records_processed),
      sum(records_created), sum(records_updated), sum(records_failed)
    FROM (' || CASE TG_OP WHEN 'INSERT' THEN added WHEN 'DELETE' THEN removed
                ELSE added || ' UNION ALL ' || removed END || ') AS d
    GROUP BY 1, 2, 3, 4
    HAVING sum(runs) <> 0 OR sum(records_processed) <> 0 OR sum(records_created) <> 0
      OR sum(records_updated) <> 0 OR sum(records_failed) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (crm_source, sync_type, status, error_kind) DO UPDATE SET
      runs = t.runs + excluded.runs,
      records_processed = t.records_processed + excluded.records_processed,
      records_created = t.records_created + excluded.records_created,
      records_updated = t.records_updated + excluded.records_updated,
      records_failed = t.records_failed + excluded.records_failed';
  RETURN NULL;
END
$$;

CREATE TRIGGER "sync_history_totals_insert" AFTER INSERT ON "sync_history"
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION "sync_history_totals_apply"();

CREATE TRIGGER "sync_history_totals_update" AFTER UPDATE ON "sync_history"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION "sync_history_totals_apply"();

CREATE TRIGGER "sync_history_totals_delete" AFTER DELETE ON "sync_history"
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION "sync_history_totals_apply"();
