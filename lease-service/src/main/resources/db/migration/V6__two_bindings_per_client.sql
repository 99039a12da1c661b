-- One offer per client and scope, as before; but a client may hold two bindings for a while. After a partition each
-- server of a pair may have bound the same client to another address, and the client uses the one of its later
-- transaction, which the whole-second times on the failover wire (and clock skew) cannot always tell. Both bindings
-- are kept until the client's next exchange ends the other one or its lease runs out: freeing one early could free
-- the address the client is using.
DROP INDEX lease_one_per_client;
CREATE UNIQUE INDEX lease_one_offer_per_client ON lease (scope, client_key) WHERE state = 'OFFERED';
