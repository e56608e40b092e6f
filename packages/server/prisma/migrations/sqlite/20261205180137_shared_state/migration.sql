-- CreateTable
CREATE TABLE "request_budget" (
    "key" TEXT NOT NULL,
    "window_start" BIGINT NOT NULL,
    "used" INTEGER NOT NULL,

    PRIMARY KEY ("key", "window_start")
);

-- CreateTable
CREATE TABLE "source_mark" (
    "crm_source" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" DATETIME NOT NULL,

    PRIMARY KEY ("crm_source", "entity", "name")
);

