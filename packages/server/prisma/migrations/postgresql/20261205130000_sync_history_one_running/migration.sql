-- Written by hand: Prisma 6 cannot declare a partial index (see the README).
-- One running run per (crm, entity): beginRun's INSERT of a second running, non-dry row of the
-- same entity fails on this index, whichever process or entry point tries it. Dry runs write no
-- record, so they neither hold an entity nor are refused.
-- Rows left running by older versions would break the index: all but the newest running row
-- of each entity are finished as interrupted first.
UPDATE "sync_history"
SET "status" = 'failed',
    "error_kind" = 'system',
    "error_message" = 'interrupted: left running by an older crmsync; a newer run of the entity had started',
    "end_time" = COALESCE("heartbeat_at", "start_time")
WHERE "status" = 'running' AND NOT "dry_run"
  AND EXISTS (
    SELECT 1 FROM "sync_history" AS "newer"
    WHERE "newer"."crm_source" = "sync_history"."crm_source"
      AND "newer"."sync_type" = "sync_history"."sync_type"
      AND "newer"."status" = 'running' AND NOT "newer"."dry_run"
      AND ("newer"."start_time" > "sync_history"."start_time"
        OR ("newer"."start_time" = "sync_history"."start_time" AND "newer"."id" > "sync_history"."id"))
  );

-- CreateIndex
CREATE UNIQUE INDEX "sync_history_running_idx" ON "sync_history"("crm_source", "sync_type") WHERE "status" = 'running' AND NOT "dry_run";
