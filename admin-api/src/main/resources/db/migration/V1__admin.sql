-- The admin API's own store: the desired configuration of every server, and a read model of the leases.

-- A server: three services (gateway, lease-service, coordinator) sharing one name.
CREATE TABLE server (
    name               text        PRIMARY KEY,
    server_identifier  text        NOT NULL,
    failover_address   text        NOT NULL,
    failover_port      integer     NOT NULL,
    gateway_addresses  text        NOT NULL DEFAULT '[]',  -- JSON array of addresses relays point at
    coordinator_url    text,                               -- the coordinator's HTTP API, for state and commands
    offer_timeout      bigint      NOT NULL,
    decline_probation  bigint      NOT NULL,
    version            bigint      NOT NULL DEFAULT 0
);

-- The outbox of tandem.config: the configuration document last assembled for each server (without its revision),
-- published while revision > published_revision. A revision is never reused, even across a lost database: it is at
-- least the time of the change in milliseconds.
CREATE TABLE server_config (
    server             text        PRIMARY KEY,
    document           text        NOT NULL,
    revision           bigint      NOT NULL,
    published_revision bigint      NOT NULL DEFAULT 0,
    published_at       timestamptz
);

-- A scope as configured on one server (a failover scope has a copy on each of the two servers).
CREATE TABLE scope (
    id          bigserial   PRIMARY KEY,
    server      text        NOT NULL REFERENCES server (name),
    subnet      text        NOT NULL,
    name        text,
    definition  text        NOT NULL,   -- JSON: the scope of server-config.v1
    version     bigint      NOT NULL DEFAULT 0,
    UNIQUE (server, subnet)
);

CREATE TABLE relationship (
    name                     text     PRIMARY KEY,
    primary_server           text     NOT NULL REFERENCES server (name),
    secondary_server         text     NOT NULL REFERENCES server (name),
    mode                     text     NOT NULL,
    load_balance_percent     integer  NOT NULL,
    reserve_percent          integer  NOT NULL,
    mclt                     bigint   NOT NULL,
    safe_period              bigint   NOT NULL,
    max_response_delay       bigint   NOT NULL,
    max_unacked_updates      integer  NOT NULL,
    load_balance_max_seconds integer  NOT NULL,
    port                     integer  NOT NULL,
    shared_secret            text,    -- AES-GCM ciphertext, never returned by the API
    tls                      boolean  NOT NULL DEFAULT false,
    version                  bigint   NOT NULL DEFAULT 0,
    CHECK (primary_server <> secondary_server)
);

-- A scope (by subnet) belongs to at most one relationship.
CREATE TABLE relationship_scope (
    subnet        text  PRIMARY KEY,
    relationship  text  NOT NULL REFERENCES relationship (name) ON DELETE CASCADE
);

-- Read model of tandem.lease-events: the latest state of every address of every server.
CREATE TABLE lease (
    server            text        NOT NULL,
    address           text        NOT NULL,
    scope             text        NOT NULL,
    state             text        NOT NULL,
    type              text        NOT NULL,
    client_key        text,
    hardware_address  text,
    client_id         text,
    hostname          text,
    expires_at        timestamptz,
    updated_at        timestamptz NOT NULL,
    sequence          bigint      NOT NULL,
    PRIMARY KEY (server, address)
);
CREATE INDEX lease_by_hardware_address ON lease (hardware_address);
CREATE INDEX lease_by_client_id ON lease (client_id);
CREATE INDEX lease_by_hostname ON lease (lower(hostname) text_pattern_ops);
CREATE INDEX lease_by_scope ON lease (scope);
