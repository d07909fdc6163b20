-- One claim a transaction: the first free seat, skipping those another claim holds, and the
-- row that says what it got (see seat_claim_setup.sql).
WITH seat AS (UPDATE seats SET registration_id = gen_random_uuid() WHERE seat_no = (SELECT seat_no FROM seats WHERE registration_id IS NULL ORDER BY seat_no LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING seat_no) INSERT INTO claims (id, seat_no) SELECT gen_random_uuid(), (SELECT seat_no FROM seat);
