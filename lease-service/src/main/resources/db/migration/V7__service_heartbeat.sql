-- Each lease-service commits here every heartbeat (500 ms): the proof, sent to its coordinator, that it can commit.
-- A database that answers but cannot commit (full disk, read-only after a failover of PostgreSQL) makes the server
-- hand its share over to the partner as a dead one would.
CREATE TABLE service_heartbeat (
    instance text PRIMARY KEY,
    beat_at timestamptz NOT NULL
);
