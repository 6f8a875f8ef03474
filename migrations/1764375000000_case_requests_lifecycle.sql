-- Up Migration
-- Requests to the citizen (Nachforderung, identification) as the building blocks
-- workflows/shared/document-request.ts and workflows/shared/identity.ts write them through
-- activities/requests and libs/db/src/requests:
--
-- - request_key: the workflow's stable name for one request round ("vehicle-documents",
--   "identification"). (case_id, request_key, kind) is unique, so a retried activity or a re-run of
--   the workflow finds the rows it created instead of adding a second set.
-- - details: what the API needs to serve the request, e.g. {"trustLevel": "substantiell"} for an
--   identification request (POST /cases/{id}/identity checks the caller's token against it).
--   Never personal data.
-- - status 'cancelled': the case was withdrawn (or the process stopped asking) before the request
--   was answered; neither fulfilled nor expired.
ALTER TABLE case_requests ADD COLUMN request_key text CHECK (request_key IS NULL OR length(request_key) BETWEEN 1 AND 100);
ALTER TABLE case_requests ADD COLUMN details jsonb;
ALTER TABLE case_requests DROP CONSTRAINT case_requests_status_check;
ALTER TABLE case_requests ADD CONSTRAINT case_requests_status_check CHECK (status IN ('open', 'fulfilled', 'expired', 'cancelled'));
CREATE UNIQUE INDEX case_requests_key_idx ON case_requests (case_id, request_key, kind) WHERE request_key IS NOT NULL;

-- Down Migration
DROP INDEX case_requests_key_idx;
UPDATE case_requests SET status = 'expired' WHERE status = 'cancelled';
ALTER TABLE case_requests DROP CONSTRAINT case_requests_status_check;
ALTER TABLE case_requests ADD CONSTRAINT case_requests_status_check CHECK (status IN ('open', 'fulfilled', 'expired'));
ALTER TABLE case_requests DROP COLUMN details;
ALTER TABLE case_requests DROP COLUMN request_key;
