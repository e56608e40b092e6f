-- CreateTable
CREATE TABLE "webhook_event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "crm_source" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "ids" JSONB NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "record" JSONB,
    "received_at" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "available_at" DATETIME NOT NULL,
    "claimed_by" TEXT,
    "lease_until" DATETIME,
    "run_id" TEXT,
    "last_error" TEXT,
    "processed_at" DATETIME
);

-- CreateIndex
CREATE INDEX "webhook_event_status_crm_source_entity_available_at_idx" ON "webhook_event"("status", "crm_source", "entity", "available_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_event_crm_source_event_id_key" ON "webhook_event"("crm_source", "event_id");

