-- What the console shows of the past, kept for tandem.admin.history-retention: every lease event of every address
-- (a lease's history), and every failover state each server entered (a relationship's state history).

CREATE TABLE lease_history (
    server            text        NOT NULL,
    address           text        NOT NULL,
    state             text        NOT NULL,
    type              text        NOT NULL,
    hardware_address  text,
    client_id         text,
    hostname          text,
    expires_at        timestamptz,
    at                timestamptz NOT NULL,
    sequence          bigint      NOT NULL,
    PRIMARY KEY (server, address, sequence)   -- an event read twice is stored once
);
CREATE INDEX lease_history_by_at ON lease_history (at);

CREATE TABLE failover_history (
    relationship   text        NOT NULL,
    server         text        NOT NULL,
    state          text        NOT NULL,
    partner_state  text,
    since          timestamptz NOT NULL,
    PRIMARY KEY (relationship, server, since)
);

-- Every change asked of the admin API (its REST API and the console's commands): who, when, what, and how it ended.
CREATE TABLE audit_log (
    id        bigserial   PRIMARY KEY,
    at        timestamptz NOT NULL,
    username  text        NOT NULL,
    method    text        NOT NULL,
    path      text        NOT NULL,
    status    integer     NOT NULL
);
CREATE INDEX audit_log_by_at ON audit_log (at);
