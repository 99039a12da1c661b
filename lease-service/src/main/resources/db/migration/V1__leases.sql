-- One row per address the server may hand out (its pools and reservations), and rows of bound addresses that left
-- the pool until they expire. The primary key makes "one address, one binding" structural.
CREATE TABLE lease (
    address      bigint      PRIMARY KEY,          -- IPv4 as an unsigned number; see view lease_view for text
    scope        text        NOT NULL,             -- subnet of the scope, CIDR
    state        text        NOT NULL CHECK (state IN ('FREE', 'OFFERED', 'ACTIVE', 'RELEASED', 'EXPIRED', 'DECLINED')),
    client_key   text,                             -- id:<hex> or hw:<htype>:<hex>
    hw_address   text,
    client_id    text,
    hostname     text,
    expires_at   timestamptz,                      -- end of offer, lease or decline probation
    cltt         timestamptz,                      -- client last transaction time
    in_pool      boolean     NOT NULL DEFAULT true,
    reserved_for text,                             -- id:<hex> or hw:<hex> of the client the address is reserved for
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Allocation: the lowest free address of a scope.
CREATE INDEX lease_free ON lease (scope, address) WHERE state = 'FREE' AND in_pool AND reserved_for IS NULL;
-- Allocation when no address is free: the longest-unused released or expired one.
CREATE INDEX lease_reusable ON lease (scope, updated_at) WHERE state IN ('RELEASED', 'EXPIRED') AND in_pool AND reserved_for IS NULL;
CREATE INDEX lease_client ON lease (scope, client_key);
CREATE INDEX lease_expiry ON lease (expires_at) WHERE state IN ('OFFERED', 'ACTIVE', 'DECLINED');
-- A client holds at most one address per scope.
CREATE UNIQUE INDEX lease_one_per_client ON lease (scope, client_key) WHERE state IN ('OFFERED', 'ACTIVE');

-- Lease events written in the same transaction as the change, published to Kafka after commit (transactional outbox).
CREATE TABLE lease_event_outbox (
    sequence   bigserial   PRIMARY KEY,
    address    bigint      NOT NULL,
    event      text        NOT NULL,                -- LeaseEvent JSON without its sequence
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The configuration revision applied to the lease table.
CREATE TABLE applied_config (
    server     text        PRIMARY KEY,
    revision   bigint      NOT NULL,
    applied_at timestamptz NOT NULL
);

CREATE VIEW lease_view AS
    SELECT '0.0.0.0'::inet + address AS ip, scope, state, client_key, hw_address, client_id, hostname, expires_at, cltt,
           in_pool, reserved_for, updated_at
    FROM lease;
