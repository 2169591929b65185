-- Many sites on one Temporal cluster (issue 18): an intake part for a
-- warehouse another site holds is started on that site's task queue.
-- NULL: this site's own queue.
ALTER TABLE hosted_starts ADD COLUMN task_queue TEXT;
