-- The identity of this lease database. The coordinator remembers the identity it last saw; a different one means the
-- database was replaced (restored empty or from an old backup) and its bindings are gone, so the server must recover
-- them from its partner (draft-ietf-dhc-failover-12: a server that lost its stable storage enters RECOVER).
CREATE TABLE store (
    id         uuid        NOT NULL,
    created_at timestamptz NOT NULL
);
INSERT INTO store (id, created_at) VALUES (gen_random_uuid(), now());
