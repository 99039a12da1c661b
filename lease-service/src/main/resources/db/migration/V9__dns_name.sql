-- Dynamic DNS (docs/ddns.md): the name this server registered for the client of an address, and where (zones, name
-- server, key), so that it is removed from there even after the scope's settings changed. The server that registered a
-- name removes it when the binding ends, whichever server saw the end.
CREATE TABLE dns_name (
    address       bigint      PRIMARY KEY,
    client_key    text        NOT NULL,
    fqdn          text        NOT NULL,
    forward       boolean     NOT NULL,
    forward_zone  text,
    reverse_zone  text,
    server        text        NOT NULL,
    port          integer     NOT NULL,
    key_name      text,
    registered_at timestamptz NOT NULL
);
