-- pgbench's seat claim (`make bench-seat-claim`): the database alone doing what a registration
-- of the rush does at its core, for the rush on PostgreSQL to be compared with in the same run.
-- 50 seats in one pool, and a row written per claim, seat or not (as the rush writes the
-- registration either way).
CREATE TABLE seats (seat_no integer PRIMARY KEY, registration_id uuid);
CREATE INDEX seats_free ON seats (seat_no) WHERE registration_id IS NULL;
INSERT INTO seats SELECT n, NULL FROM generate_series(1, 50) n;
CREATE TABLE claims (id uuid PRIMARY KEY, seat_no integer);
