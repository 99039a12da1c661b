"""Tests of the chaos run's audit (python3 -m unittest bench/test_chaos.py): each check fails on what it must catch."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402

T = 1_800_000_000.0


def ack(t, mac, address, lease=60, server="198.18.4.1"):
    return {"t": t, "type": "ack", "xid": "00", "mac": mac, "address": address, "server": server, "lease": lease}


def event(kind, server, address, client, at, expires, state="ACTIVE", sequence=1):
    return {"type": kind, "server": server, "address": address, "clientKey": client, "state": state,
            "at": chaos.iso(at), "expiresAt": chaos.iso(expires), "sequence": sequence}


def row(address, state="ACTIVE", mac="020000000001", expires=T + 60):
    return {"address": address, "state": state, "mac": mac, "expires": str(int(expires))}


class BucketTest(unittest.TestCase):
    def test_known_buckets(self):
        # the RFC 3074 hash of keys whose buckets ISC dhcpd's implementation of the same table gives
        for key, expected in (("000000000000", 254), ("001122334455", 135), ("aabbccddeeff", 57),
                              ("010203040506", 179), ("01001122334455", 223), ("01aabbccddeeff", 102),
                              ("666f6f", 49), ("", 0)):
            self.assertEqual(chaos.bucket(bytes.fromhex(key)), expected, key)
        self.assertFalse(chaos.primary_serves("00:11:22:33:44:55"))
        self.assertTrue(chaos.primary_serves("aa:bb:cc:dd:ee:ff"))

    def test_macs_fall_on_the_side_asked(self):
        for side in ("primary", "secondary"):
            for mac in chaos.macs(side, 7, 20):
                self.assertEqual(chaos.primary_serves(mac), side == "primary")

    def test_any_side_takes_every_mac_in_order(self):
        any_side = chaos.macs("any", 7, 20)
        self.assertEqual(len(set(any_side)), 20)
        self.assertEqual({m for m in any_side if chaos.primary_serves(m)}, set(chaos.macs("primary", 7, 20)) & set(any_side))
        self.assertTrue(any(not chaos.primary_serves(m) for m in any_side))


class ClientViewTest(unittest.TestCase):
    def test_two_clients_acknowledged_one_address_at_once(self):
        found = chaos.client_duplicates([ack(T, "aa", "10.0.0.5"), ack(T + 10, "bb", "10.0.0.5")])
        self.assertEqual(len(found), 1)
        self.assertIn("10.0.0.5", found[0])
        self.assertIn("aa", found[0])
        self.assertIn("bb", found[0])

    def test_after_the_lease_ran_out_the_address_may_go_to_another(self):
        self.assertEqual(chaos.client_duplicates([ack(T, "aa", "10.0.0.5", 60), ack(T + 61, "bb", "10.0.0.5")]), [])

    def test_a_renewal_is_no_duplicate(self):
        self.assertEqual(chaos.client_duplicates([ack(T, "aa", "10.0.0.5"), ack(T + 30, "aa", "10.0.0.5")]), [])


class EventsTest(unittest.TestCase):
    def test_one_server_binding_an_address_twice(self):
        found = chaos.event_duplicates([
            event("committed", "dhcp-a", "10.0.0.5", "hw:aa", T, T + 60, sequence=1),
            event("committed", "dhcp-a", "10.0.0.5", "hw:bb", T + 5, T + 65, sequence=2)])
        self.assertEqual(len(found), 1)
        self.assertIn("hw:aa", found[0])
        self.assertIn("hw:bb", found[0])

    def test_the_two_servers_binding_an_address_to_two_clients(self):
        found = chaos.event_duplicates([
            event("committed", "dhcp-a", "10.0.0.5", "hw:aa", T, T + 60),
            event("committed", "dhcp-b", "10.0.0.5", "hw:bb", T + 5, T + 65)])
        self.assertEqual(len(found), 1)

    def test_a_release_ends_the_binding(self):
        self.assertEqual(chaos.event_duplicates([
            event("committed", "dhcp-a", "10.0.0.5", "hw:aa", T, T + 60, sequence=1),
            event("released", "dhcp-a", "10.0.0.5", "hw:aa", T + 1, T + 1, state="RELEASED", sequence=2),
            event("committed", "dhcp-a", "10.0.0.5", "hw:bb", T + 5, T + 65, sequence=3)]), [])


class TablesTest(unittest.TestCase):
    def test_a_lease_a_client_holds_must_be_on_a_server(self):
        acks = [ack(T, "02:00:00:00:00:01", "10.0.0.5", 600)]
        self.assertEqual(chaos.lost(acks, [{"10.0.0.5": row("10.0.0.5")}, {}], T + 10), [])
        found = chaos.lost(acks, [{}, {"10.0.0.5": row("10.0.0.5", state="FREE", mac="")}], T + 10)
        self.assertEqual(len(found), 1)
        self.assertIn("10.0.0.5", found[0])
        self.assertEqual(chaos.lost(acks, [{}, {}], T + 700), [], "expired by the end")

    def test_disagreement_on_owner_client_or_expiry(self):
        a = {"10.0.0.5": row("10.0.0.5", state="FREE", mac=""), "10.0.0.6": row("10.0.0.6"),
             "10.0.0.7": row("10.0.0.7", expires=T + 60)}
        b = {"10.0.0.5": row("10.0.0.5", state="BACKUP", mac=""), "10.0.0.6": row("10.0.0.6", mac="020000000002"),
             "10.0.0.7": row("10.0.0.7", expires=T + 63)}
        found = chaos.disagreements(a, b)
        self.assertEqual(len(found), 3, found)
        self.assertEqual(chaos.disagreements(a, dict(a)), [])
        self.assertEqual(chaos.disagreements({"10.0.0.7": row("10.0.0.7", expires=T)},
                                             {"10.0.0.7": row("10.0.0.7", expires=T + 1)}), [], "whole seconds")


class AuditTest(unittest.TestCase):
    def write(self, d, acks, events, faults):
        for name, lines in (("acks.jsonl", acks), ("events.jsonl", events), ("faults.jsonl", faults)):
            with open(os.path.join(d, name), "w") as f:
                f.writelines(json.dumps(x) + "\n" for x in lines)
        for s in ("a", "b"):
            with open(os.path.join(d, "table-%s.csv" % s), "w") as f:
                f.write("address,state,mac,expires\n10.0.0.5,ACTIVE,020000000001,%d\n" % int(T + 600))
        with open(os.path.join(d, "end"), "w") as f:
            f.write(str(T + 10))

    def test_a_clean_run_passes_and_silence_fails(self):
        fault = {"fault": "kill:lease-service", "start": T, "takeover": 2.0, "end": T + 5, "normal": T + 8,
                 "drops": 1.5}
        with tempfile.TemporaryDirectory() as d:
            self.write(d, [ack(T, "02:00:00:00:00:01", "10.0.0.5", 600)],
                       [event("committed", "dhcp-a", "10.0.0.5", "hw:1", T, T + 600)], [fault])
            self.assertEqual(chaos.audit(d), 0)
        with tempfile.TemporaryDirectory() as d:
            self.write(d, [], [], [fault])
            self.assertEqual(chaos.audit(d), 1, "no ACK and no event seen is a failed run, not a clean one")
        with tempfile.TemporaryDirectory() as d:
            self.write(d, [ack(T, "02:00:00:00:00:01", "10.0.0.5", 600)],
                       [event("committed", "dhcp-a", "10.0.0.5", "hw:1", T, T + 600)], [dict(fault, normal=None)])
            self.assertEqual(chaos.audit(d), 1, "a pair that never came back to NORMAL fails the run")


if __name__ == "__main__":
    unittest.main()
