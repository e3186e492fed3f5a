-- Cases the demo generated (its 90 days of history), told apart from cases people reported: a
-- deployment that started from the demo can list or delete them.
ALTER TABLE events ADD COLUMN demo boolean NOT NULL DEFAULT false;
