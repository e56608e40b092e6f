-- CreateTable
CREATE TABLE "sync_history" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "crm_source" TEXT NOT NULL,
    "sync_type" TEXT NOT NULL,
    "endpoint" TEXT,
    "status" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "start_time" DATETIME NOT NULL,
    "end_time" DATETIME,
    "records_processed" INTEGER NOT NULL DEFAULT 0,
    "records_created" INTEGER NOT NULL DEFAULT 0,
    "records_updated" INTEGER NOT NULL DEFAULT 0,
    "records_unchanged" INTEGER NOT NULL DEFAULT 0,
    "records_deleted" INTEGER NOT NULL DEFAULT 0,
    "records_failed" INTEGER NOT NULL DEFAULT 0,
    "error_message" TEXT,
    "error_kind" TEXT,
    "configuration" JSONB NOT NULL,
    "performance_metrics" JSONB,
    "since_time" DATETIME,
    "high_water_mark" DATETIME,
    "checkpoint" JSONB,
    "resumed_from_run_id" TEXT,
    "worker_id" TEXT,
    "heartbeat_at" DATETIME,
    "lease_ms" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "sync_schedule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "crm_source" TEXT NOT NULL,
    "sync_type" TEXT NOT NULL,
    "interval" TEXT,
    "cron" TEXT,
    "options" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "paused_reason" TEXT,
    "next_run" DATETIME,
    "last_run_id" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "crm_record" (
    "crm_source" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "content_hash" TEXT NOT NULL,
    "remote_updated_at" DATETIME,
    "remote_created_at" DATETIME,
    "first_synced_at" DATETIME NOT NULL,
    "last_synced_at" DATETIME NOT NULL,
    "deleted_at" DATETIME,
    "last_run_id" TEXT,

    PRIMARY KEY ("crm_source", "entity", "external_id")
);

-- CreateTable
CREATE TABLE "sync_event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "run_id" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "record_id" TEXT,
    "details" JSONB,
    CONSTRAINT "sync_event_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_history" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "sync_history_crm_source_sync_type_start_time_idx" ON "sync_history"("crm_source", "sync_type", "start_time" DESC);

-- CreateIndex
CREATE INDEX "sync_history_status_start_time_idx" ON "sync_history"("status", "start_time" DESC);

-- CreateIndex
CREATE INDEX "sync_history_end_time_idx" ON "sync_history"("end_time" DESC);

-- CreateIndex
CREATE INDEX "sync_schedule_crm_source_sync_type_idx" ON "sync_schedule"("crm_source", "sync_type");

-- CreateIndex
CREATE INDEX "crm_record_crm_source_entity_remote_updated_at_idx" ON "crm_record"("crm_source", "entity", "remote_updated_at" DESC);

-- CreateIndex
CREATE INDEX "sync_event_run_id_id_idx" ON "sync_event"("run_id", "id");

