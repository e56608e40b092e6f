-- Written by hand: Prisma 6 cannot declare a partial index, so the schema does not list this
-- one and `prisma:migration` never diffs it (it diffs schema copies, not databases).
-- Only soft-deleted rows are in it: a live row's write (the bulk upsert) never touches it,
-- and "live records of an entity" is counted as all its rows (the primary key's and the
-- remote_updated_at index's prefix, read from the index alone) minus these.
-- CreateIndex
CREATE INDEX "crm_record_deleted_idx" ON "crm_record"("crm_source", "entity") WHERE "deleted_at" IS NOT NULL;
