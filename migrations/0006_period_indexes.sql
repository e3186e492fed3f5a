-- An area's figures over a period (indicators, trend, counts, map points) read only the period's
-- rows: one index per moment a case is counted at (reported, accepted, closed, due while open),
-- each led by the city; a county or township filters inside on the included codes, the province
-- reads its cities one after the other. They replace the index of the one-pass indicators, which
-- read every case a city ever had whatever the period (a province's 30 days took seconds). A period
-- as long as all the data (a year of a one-year-old system) now reads three ranges where the one
-- pass read the rows once: slower for it, but no longer growing with the years kept.
DROP INDEX events_city_indicators_idx;
CREATE INDEX events_city_created_idx ON events (city_code, created_at)
  INCLUDE (county_code, township_code, category_code, status, deadline_state);
CREATE INDEX events_city_accepted_idx ON events (city_code, accepted_at)
  INCLUDE (county_code, township_code) WHERE accepted_at IS NOT NULL;
CREATE INDEX events_city_closed_idx ON events (city_code, closed_at)
  INCLUDE (county_code, township_code, closed_on_time, rework_count, handling_seconds, rating, closed_level, escalation_count) WHERE closed_at IS NOT NULL;
CREATE INDEX events_city_due_open_idx ON events (city_code, due_at)
  INCLUDE (county_code, township_code, status) WHERE closed_at IS NULL AND due_at IS NOT NULL;
