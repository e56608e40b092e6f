-- CreateTable
CREATE TABLE "webhook_event" (
    "id" SERIAL NOT NULL,
    "crm_source" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "ids" JSONB NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "record" JSONB,
    "received_at" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "available_at" TIMESTAMP(3) NOT NULL,
    "claimed_by" TEXT,
    "lease_until" TIMESTAMP(3),
    "run_id" TEXT,
    "last_error" TEXT,
    "processed_at" TIMESTAMP(3),

    CONSTRAINT "webhook_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_event_status_crm_source_entity_available_at_idx" ON "webhook_event"("status", "crm_source", "entity", "available_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_event_crm_source_event_id_key" ON "webhook_event"("crm_source", "event_id");

