-- A scope that leaves its relationship stays on one server. For the relationship's MCLT after it left, that server
-- allocates as in PARTNER-DOWN before MCLT has passed: its own FREE addresses only, no released or expired one to
-- another client, since the partner may have bound or extended leases it never heard of (at most MCLT beyond what it
-- acknowledged). The row of a scope that left stays here that long, with when it left.
ALTER TABLE pool_split ADD COLUMN mclt_seconds bigint NOT NULL DEFAULT 3600;
ALTER TABLE pool_split ADD COLUMN secondary boolean NOT NULL DEFAULT false;
ALTER TABLE pool_split ADD COLUMN left_at timestamptz;
