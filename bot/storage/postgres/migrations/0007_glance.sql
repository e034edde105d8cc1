-- A leader's glance (bot/storage/glance.py): what the coach's dashboard counts, sealed as the
-- state is, written in the same statement as the state and naming its version, so a page
-- reads it instead of opening a year of history. NULL: not written yet (the page opens the
-- state, as before; the next write fills it).
ALTER TABLE leaders ADD COLUMN glance bytea;
