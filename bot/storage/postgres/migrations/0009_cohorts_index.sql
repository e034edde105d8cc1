-- Finding the leaders counted in a coach's totals (`cohorts ? coach`: a leader joining or
-- leaving the coach, the coach forgotten) reads this index instead of every leader's row.
-- jsonb_path_ops would not serve `?`, so the default operator class.
CREATE INDEX leaders_cohorts ON leaders USING gin (cohorts);
