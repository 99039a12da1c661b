-- The failover relationship each scope's free addresses were last split for. A scope's never-changed rows take the
-- split only when the scope joins a relationship (no row here, or another relationship); within one they keep their
-- owner, whatever changes, so that both servers agree on who owns each address. Kept here rather than in memory, so
-- that a restart (which knows no previous configuration) does not re-split on its own while the partner does not.
-- After this migration the first configuration applied finds no rows and takes its relationships' scopes as joining,
-- as every start did before.
CREATE TABLE pool_split (
    scope        text        PRIMARY KEY,
    relationship text        NOT NULL,
    split_at     timestamptz NOT NULL
);
