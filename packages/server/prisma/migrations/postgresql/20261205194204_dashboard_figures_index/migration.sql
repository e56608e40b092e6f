-- DropIndex
DROP INDEX "sync_history_end_time_idx";

-- CreateIndex
CREATE INDEX "sync_history_end_time_figures_idx" ON "sync_history"("end_time" DESC, "status", "error_kind", "crm_source", "start_time", "records_processed");

