-- Who filed a case through intake ('citizen:12', 'staff:5', 'key:3': a hotline case's reporter is
-- the caller, not the operator who typed it) and, for citizens, a hash of the device's id: the
-- per-reporter and per-device intake limits count these in the last hour and day.
ALTER TABLE events ADD COLUMN intake_by text, ADD COLUMN intake_device text;
CREATE INDEX events_intake_by_idx ON events (intake_by, created_at) WHERE intake_by IS NOT NULL;
CREATE INDEX events_intake_device_idx ON events (intake_device, created_at) WHERE intake_device IS NOT NULL;
