-- A scope that leaves its relationship stays on one server, which cannot know every lease the partner gave or
-- extended in its last moments (at most MCLT beyond what it acknowledged, and never longer than the scope's lease
-- time). So for a while after it left, that server allocates as in PARTNER-DOWN: until MCLT has passed only its own
-- FREE addresses and no released or expired one to another client; then until the scope's lease time more has passed,
-- a released or expired address only MCLT after its expiry and potential expirations. The row of a scope that left
-- stays here that long, with when it left and the settings of the relationship it left.
ALTER TABLE pool_split ADD COLUMN mclt_seconds bigint NOT NULL DEFAULT 3600;
ALTER TABLE pool_split ADD COLUMN lease_seconds bigint NOT NULL DEFAULT 86400;
ALTER TABLE pool_split ADD COLUMN secondary boolean NOT NULL DEFAULT false;
ALTER TABLE pool_split ADD COLUMN left_at timestamptz;
-- Since this version every free row of a scope that joins a relationship takes the split, not only never-changed ones
-- (V5): the partner may know nothing of the scope's history (a scope that had left it).
