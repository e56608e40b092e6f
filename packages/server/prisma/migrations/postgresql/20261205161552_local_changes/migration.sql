-- CreateTable
CREATE TABLE "local_change" (
    "id" TEXT NOT NULL,
    "crm_source" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "base" JSONB NOT NULL,
    "base_remote_updated_at" TIMESTAMP(3),
    "author" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "run_id" TEXT,

    CONSTRAINT "local_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_conflict" (
    "id" TEXT NOT NULL,
    "change_id" TEXT NOT NULL,
    "crm_source" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "local_modified_at" TIMESTAMP(3) NOT NULL,
    "remote_modified_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL,
    "resolved_at" TIMESTAMP(3),
    "resolution" TEXT,

    CONSTRAINT "sync_conflict_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "sync_conflict" ADD CONSTRAINT "sync_conflict_change_id_fkey" FOREIGN KEY ("change_id") REFERENCES "local_change"("id") ON DELETE CASCADE ON UPDATE CASCADE;

