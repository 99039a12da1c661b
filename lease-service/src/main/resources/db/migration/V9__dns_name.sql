-- Dynamic DNS (docs/ddns.md): the name this server registered for the client of an address. The server that
-- registered a name removes it when the binding ends, whichever server saw the end; a renewal under the same name
-- sends nothing to DNS.
CREATE TABLE dns_name (
    address       bigint      PRIMARY KEY,
    client_key    text        NOT NULL,
    fqdn          text        NOT NULL,
    forward       boolean     NOT NULL,
    reverse       boolean     NOT NULL,
    registered_at timestamptz NOT NULL
);
