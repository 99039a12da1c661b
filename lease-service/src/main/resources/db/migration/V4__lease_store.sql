-- The identity of this lease database, made once when the schema is created. The coordinator records it with its
-- failover state: a state recorded with another identity belongs to a database that was lost or replaced, and the
-- server must then recover all bindings from its partner (draft-ietf-dhc-failover-12 §9.3.2, lost stable storage).
CREATE TABLE lease_store (
    singleton boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    id        uuid        NOT NULL DEFAULT gen_random_uuid(),
    created   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO lease_store DEFAULT VALUES;
