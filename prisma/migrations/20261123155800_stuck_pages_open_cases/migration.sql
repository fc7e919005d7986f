-- CreateIndex
CREATE INDEX "application_open_idx" ON "application"("municipality_code", "id") WHERE (closed_at IS NULL);
