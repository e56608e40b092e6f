-- CreateTable
CREATE TABLE "local_change" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "crm_source" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "base" JSONB NOT NULL,
    "base_remote_updated_at" DATETIME,
    "author" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL,
    "run_id" TEXT
);

-- CreateTable
CREATE TABLE "sync_conflict" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "change_id" TEXT NOT NULL,
    "crm_source" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "local_modified_at" DATETIME NOT NULL,
    "remote_modified_at" DATETIME,
    "created_at" DATETIME NOT NULL,
    "resolved_at" DATETIME,
    "resolution" TEXT,
    CONSTRAINT "sync_conflict_change_id_fkey" FOREIGN KEY ("change_id") REFERENCES "local_change" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "local_change_crm_source_entity_state_id_idx" ON "local_change"("crm_source", "entity", "state", "id");

-- CreateIndex
CREATE INDEX "local_change_crm_source_entity_external_id_idx" ON "local_change"("crm_source", "entity", "external_id");

-- CreateIndex
CREATE INDEX "local_change_state_id_idx" ON "local_change"("state", "id");

-- CreateIndex
CREATE INDEX "sync_conflict_resolved_at_crm_source_id_idx" ON "sync_conflict"("resolved_at", "crm_source", "id");

-- CreateIndex
CREATE INDEX "sync_conflict_change_id_idx" ON "sync_conflict"("change_id");

