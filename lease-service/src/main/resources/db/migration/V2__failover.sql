-- Failover (draft-ietf-dhc-failover-12). Every change of a binding in a relationship scope gets a new update number;
-- the binding publisher sends rows whose update is not yet published to the coordinator, the partner's BNDACK sets
-- acked_seq. A row is "pending" while update_seq > acked_seq: the partner may not know it yet.
ALTER TABLE lease ADD COLUMN backup        boolean     NOT NULL DEFAULT false; -- free address owned by the secondary (BACKUP), else FREE (the primary's)
ALTER TABLE lease ADD COLUMN tstp          timestamptz;                        -- potential expiration sent to the partner
ALTER TABLE lease ADD COLUMN tsfp          timestamptz;                        -- potential expiration the partner holds (acked, or sent by it)
ALTER TABLE lease ADD COLUMN update_seq    bigint      NOT NULL DEFAULT 0;     -- 0: never changed under failover
ALTER TABLE lease ADD COLUMN published_seq bigint      NOT NULL DEFAULT 0;
ALTER TABLE lease ADD COLUMN acked_seq     bigint      NOT NULL DEFAULT 0;

CREATE SEQUENCE binding_update_seq;

CREATE INDEX lease_unpublished ON lease (update_seq) WHERE update_seq > published_seq;
CREATE INDEX lease_unacked ON lease (scope, address) WHERE update_seq > acked_seq;

DROP VIEW lease_view;
CREATE VIEW lease_view AS
    SELECT '0.0.0.0'::inet + address AS ip, scope, state, client_key, hw_address, client_id, hostname, expires_at, cltt,
           in_pool, reserved_for, updated_at, backup, tstp, tsfp, update_seq, acked_seq
    FROM lease;
