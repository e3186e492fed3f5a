-- What Open311 publishes of a category's cases: 'public' (everything public), 'counted' (only the
-- township: no point, no address, no description or notes) or 'private' (left out: the public is
-- told such a case does not exist). Private by default for 03 社会治安 and 04 矛盾纠纷.
ALTER TABLE event_categories ADD COLUMN publication text NOT NULL DEFAULT 'public'
  CHECK (publication IN ('public', 'counted', 'private'));
UPDATE event_categories SET publication = 'private' WHERE group_code IN ('03', '04');
