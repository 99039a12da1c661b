#!/usr/bin/env python3
"""Helpers of bench/chaos.sh, with nothing beyond the Python standard library.

  chaos.py capture IFACE OUT.jsonl      every DHCPACK and DHCPNAK seen on IFACE (run it in the clients' namespace)
  chaos.py macs SIDE SEED COUNT         fresh client MACs whose RFC 3074 bucket is SIDE's (primary|secondary) at 50 %
  chaos.py probe IFACE SIDE SEED LOG [NOT]   the takeover probe: once LOG.go names the start, a new client of SIDE's
                                        buckets every 0.25 s; prints the seconds from the start to the first DHCPACK
                                        and its server (an ACK from server NOT, the one that failed, does not count)
  chaos.py audit DIR                    the audit of a run's files in DIR; prints the table, exit 1 on a violation
  chaos.py agree DIR                    exit 0 when DIR's two lease tables agree

The audit's inputs, all written by chaos.sh into DIR: acks.jsonl (capture), events.jsonl (the lease-events topic),
table-a.csv and table-b.csv (both lease tables at the end), faults.jsonl (one line per fault with its times).
"""
import csv
import json
import os
import signal
import socket
import struct
import sys
import time
from datetime import datetime, timezone

# RFC 3074 section 6: the Pearson hash's permutation table.
RFC3074 = [
    251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232, 31, 32, 55, 60, 152, 58, 17, 237, 174,
    70, 160, 144, 220, 90, 57, 223, 59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65, 180, 48,
    36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16, 40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22,
    138, 29, 108, 244, 67, 207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5, 20, 113, 71, 35,
    128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245, 230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115,
    241, 73, 88, 105, 39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84, 82, 163, 44, 139,
    228, 236, 205, 242, 217, 11, 187, 146, 159, 64, 86, 239, 195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117,
    176, 229, 247, 253, 137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238, 56, 110, 78, 248,
    63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50, 33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125,
    188, 213, 96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4, 216, 131, 89, 21, 28, 133, 37, 153,
    149, 80, 170, 68, 6, 169, 234, 151,
]

# Clock tolerance of the duplicate check: lease times on the wire are whole seconds, and the capture stamps a packet
# a little after the server decided.
TOLERANCE = 1.0


def bucket(key):
    h = len(key) & 0xFF
    for b in reversed(key):
        h = RFC3074[h ^ b]
    return h


def primary_serves(mac):
    """udhcpc sends client identifier 1 + MAC; at 50 % buckets 0..127 are the primary's (draft-12 section 5.3)."""
    return bucket(bytes([1]) + bytes.fromhex(mac.replace(":", ""))) < 128


def macs(side, seed, count):
    """MACs whose client the given side serves in load-balance at 50 % (primary, secondary), or any."""
    want = side == "primary"
    out, i = [], 0
    while len(out) < count:
        mac = "02:%02x:%02x:%02x:%02x:%02x" % ((seed >> 8) & 0xFF, seed & 0xFF, (i >> 16) & 0xFF, (i >> 8) & 0xFF,
                                               i & 0xFF)
        if side == "any" or primary_serves(mac) == want:
            out.append(mac)
        i += 1
    return out


def capture(iface, path):
    """Every DHCPACK/DHCPNAK to a client on IFACE, as JSON lines, until SIGTERM."""
    # ETH_P_ALL: a socket for IPv4 only would see the frames to the clients' macvlan interfaces after macvlan took
    # them, that is never; every frame is seen before.
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sock.bind((iface, 0))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    with open(path, "a", buffering=1) as out:
        while True:
            frame, meta = sock.recvfrom(65535)
            if meta[2] == socket.PACKET_OUTGOING or frame[12:14] != b"\x08\x00":
                continue
            ip = frame[14:]
            if len(ip) < 20 or ip[9] != 17:
                continue
            udp = ip[(ip[0] & 0x0F) * 4:]
            # to a client (68), or to a relay (67): perfdhcp plays a relay agent, dhcrelay passes its requests on
            if len(udp) < 8 or struct.unpack("!H", udp[2:4])[0] not in (67, 68):
                continue
            d = udp[8:]
            if len(d) < 240 or d[0] != 2 or d[236:240] != b"\x63\x82\x53\x63":
                continue
            opts = options(d)
            kind = {5: "ack", 6: "nak"}.get(opts.get(53, b"\0")[0])
            if kind is None:
                continue
            out.write(json.dumps({
                "t": time.time(),
                "type": kind,
                "xid": d[4:8].hex(),
                "mac": d[28:34].hex(":"),
                "address": socket.inet_ntoa(d[16:20]),
                "server": socket.inet_ntoa(opts[54]) if len(opts.get(54, b"")) == 4 else None,
                "lease": struct.unpack("!I", opts[51])[0] if len(opts.get(51, b"")) == 4 else None,
            }) + "\n")


def options(d):
    opts, i = {}, 240
    while i < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        if i + 1 >= len(d):
            break
        opts[d[i]] = d[i + 2:i + 2 + d[i + 1]]
        i += 2 + d[i + 1]
    return opts


def dhcp_message(kind, xid, mac, extra=b""):
    """A client's broadcast DISCOVER (1) or REQUEST (3), with udhcpc's client identifier (1 + MAC)."""
    chaddr = bytes.fromhex(mac.replace(":", ""))
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4), bytes(4),
                       bytes(4), chaddr, b"", b"")
    message = head + b"\x63\x82\x53\x63" + bytes([53, 1, kind, 61, 7, 1]) + chaddr + extra + b"\xff"
    return message + bytes(max(0, 300 - len(message)))  # BOOTP's minimum size


def probe(iface, side, seed, log, failed=None, every=0.25, limit=60.0):
    """The takeover probe: a new client of SIDE's buckets every EVERY seconds (each one DISCOVER, and a REQUEST for
    its first OFFER), from the start LOG.go names until the first DHCPACK from a server other than FAILED (one that
    still answered as the fault began has not handed over yet), so that the takeover is measured to within EVERY;
    udhcpc alone would measure it to within a second (it waits whole seconds of its monotonic clock)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    sock.bind(("0.0.0.0", 68))
    clients = iter(macs(side, seed, int(limit / every) + 1))
    sent = {}  # xid -> mac
    requested = set()  # xids whose first OFFER was taken up
    open(log + ".ready", "w").close()
    while not os.path.exists(log + ".go"):
        time.sleep(0.005)
    with open(log + ".go") as f:
        start = float(f.read().strip() or time.time())
    with open(log, "a", buffering=1) as out:
        next_at = time.time()
        while time.time() - start < limit:
            now = time.time()
            if now >= next_at:
                mac = next(clients)
                xid = struct.unpack("!I", os.urandom(4))[0]
                sent[xid] = mac
                sock.sendto(dhcp_message(1, xid, mac), ("255.255.255.255", 67))
                out.write("+%.2f s %s %s discover\n" % (now - start, iface, mac))
                next_at += every
            sock.settimeout(max(0.001, next_at - time.time()))
            try:
                d = sock.recv(4096)
            except socket.timeout:
                continue
            if len(d) < 240 or d[0] != 2 or d[236:240] != b"\x63\x82\x53\x63":
                continue
            xid = struct.unpack("!I", d[4:8])[0]
            opts = options(d)
            kind = opts.get(53, b"\0")[0]
            if xid not in sent or 54 not in opts:
                continue
            server = socket.inet_ntoa(opts[54])
            if kind == 2 and xid not in requested:
                requested.add(xid)
                out.write("+%.2f s %s offer of %s from %s\n"
                          % (time.time() - start, sent[xid], socket.inet_ntoa(d[16:20]), server))
                sock.sendto(dhcp_message(3, xid, sent[xid], bytes([50, 4]) + d[16:20] + bytes([54, 4]) + opts[54]),
                            ("255.255.255.255", 67))
            elif kind == 5:
                taken = time.time() - start
                out.write("+%.2f s %s obtained %s from %s\n" % (taken, sent[xid], socket.inet_ntoa(d[16:20]), server))
                if server != failed:
                    print("%.2f %s" % (taken, server))
                    return 0
    print("null -")
    return 0


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        # the console consumer writes its own log lines among the records
        return [json.loads(line) for line in f if line.startswith("{")]


def client_duplicates(acks):
    """Two clients acknowledged one address for overlapping times, as the clients saw it (the capture)."""
    held, found = {}, []  # address -> (mac, until)
    for a in sorted(acks, key=lambda a: a["t"]):
        if a["type"] != "ack" or not a["lease"]:
            continue
        h = held.get(a["address"])
        if h and h[0] != a["mac"] and a["t"] + TOLERANCE < h[1]:
            found.append("%s acknowledged to %s at %s while %s held it until %s"
                         % (a["address"], a["mac"], iso(a["t"]), h[0], iso(h[1])))
        held[a["address"]] = (a["mac"], a["t"] + a["lease"])
    return found


def event_duplicates(events):
    """No address bound to two clients at once in the servers' own events, on one server or across the two."""
    holders, found = {}, []  # address -> server -> (client, until)
    for e in sorted(events, key=lambda e: (ts(e["at"]), e["server"], e["sequence"])):
        views = holders.setdefault(e["address"], {})
        binds = e["type"] in ("committed", "renewed") or (e["type"] == "partner-update" and e.get("state") == "ACTIVE")
        if not binds:
            views.pop(e["server"], None)
            continue
        for server, (client, until) in views.items():
            if e["type"] == "partner-update" and server != e["server"]:
                continue
            if client != e["clientKey"] and ts(e["at"]) < until:
                found.append("%s bound to %s by %s at %s while %s held it until %s (as %s knew)"
                             % (e["address"], e["clientKey"], e["server"], e["at"], client, iso(until), server))
        views[e["server"]] = (e["clientKey"], ts(e["expiresAt"]) if e.get("expiresAt") else 0)
    return found


def norm(mac):
    """A hardware address as plain lower-case hex (the lease table stores it so; the capture writes colons)."""
    return mac.lower().replace(":", "").replace("-", "")


def read_table(path):
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for r in csv.DictReader(f):
                r["mac"] = norm(r["mac"])
                rows[r["address"]] = r
    return rows


def lost(acks, tables, end):
    """Every lease a client was acknowledged and still holds at the end is ACTIVE for it on at least one server."""
    last = {}
    for a in sorted(acks, key=lambda a: a["t"]):
        if a["type"] == "ack" and a["lease"]:
            last[a["mac"]] = a
    found = []
    for mac, a in last.items():
        if a["t"] + a["lease"] <= end + TOLERANCE:
            continue  # expired by the end
        if not any(t.get(a["address"], {}).get("state") == "ACTIVE" and t[a["address"]]["mac"] == norm(mac)
                   for t in tables):
            found.append("%s acknowledged %s until %s (by %s) but neither server holds it for the client"
                         % (mac, a["address"], iso(a["t"] + a["lease"]), a["server"]))
    return found


def disagreements(a, b):
    """The two lease tables at the end: per address, state, client, expiry (to the second) and pool owner."""
    found = []
    for address in sorted(set(a) | set(b), key=lambda x: socket.inet_aton(x)):
        ra, rb = a.get(address), b.get(address)
        if ra is None or rb is None:
            found.append("%s only on %s" % (address, "dhcp-a" if rb is None else "dhcp-b"))
            continue
        if ra["state"] != rb["state"]:
            found.append("%s: %s on dhcp-a, %s on dhcp-b" % (address, ra["state"], rb["state"]))
            continue
        if ra["state"] != "ACTIVE":
            continue  # a free address's last client is history, kept or not
        if ra["mac"] != rb["mac"]:
            found.append("%s: client %s on dhcp-a, %s on dhcp-b" % (address, ra["mac"], rb["mac"]))
        if abs(int(ra["expires"]) - int(rb["expires"])) > 1:
            # the failover wire carries whole seconds, so the partner's copy may be one second off
            found.append("%s: expires %s on dhcp-a, %s on dhcp-b" % (address, ra["expires"], rb["expires"]))
    return found


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds")


def audit(directory):
    acks = read_jsonl(os.path.join(directory, "acks.jsonl"))
    # delivery is at least once, and with a Kafka per server a mirrored event is read twice: one event per id
    events = list({e.get("id") or id(e): e for e in read_jsonl(os.path.join(directory, "events.jsonl"))}.values())
    faults = read_jsonl(os.path.join(directory, "faults.jsonl"))
    a = read_table(os.path.join(directory, "table-a.csv"))
    b = read_table(os.path.join(directory, "table-b.csv"))
    with open(os.path.join(directory, "end")) as f:
        end = float(f.read())
    problems = []
    if not [x for x in acks if x["type"] == "ack"]:
        problems.append("no DHCPACK was captured: the load never ran, or the capture saw nothing")
    if not events:
        problems.append("no lease event was read")
    dup_clients = client_duplicates(acks)
    dup_events = event_duplicates(events)
    missing = lost(acks, [a, b], end)
    differ = disagreements(a, b)
    print("%-34s %10s %10s %14s %8s %10s %11s %5s" % ("fault", "takeover", "1st probe", "after repair", "drops",
                                                     "to NORMAL", "duplicates", "lost"))
    for f in faults:
        window = [x for x in dup_clients + dup_events if f["start"] <= ts_of(x) <= f["normal"]]
        print("%-34s %10s %10s %14s %8s %10s %11d %5s" % (
            f["fault"][:34],
            "%.1f s" % f["takeover"] if f.get("takeover") is not None else "-",
            "%.1f s" % f["probed"] if f.get("probed") is not None else "-",
            "%.1f s" % f["resumed"] if f.get("resumed") is not None else "-",
            "%.1f %%" % f["drops"] if f.get("drops") is not None else "-",
            "%.1f s" % (f["normal"] - f["end"]) if f.get("normal") else "never",
            len(window), "-"))
    print("%-34s %10s %10s %14s %8s %10s %11d %5d" % ("whole run", "", "", "", "", "",
                                                       len(dup_clients) + len(dup_events), len(missing)))
    print()
    print("acks captured %d, lease events %d, active leases dhcp-a %d dhcp-b %d"
          % (len([x for x in acks if x["type"] == "ack"]), len(events),
             sum(1 for r in a.values() if r["state"] == "ACTIVE"), sum(1 for r in b.values() if r["state"] == "ACTIVE")))
    stuck = [f["fault"] for f in faults if not f.get("normal")]
    for title, items in (("duplicate (clients' view)", dup_clients), ("duplicate (servers' events)", dup_events),
                         ("lost", missing), ("tables differ", differ), ("never NORMAL again after", stuck),
                         ("audit", problems)):
        for item in items[:20]:
            print("%s: %s" % (title, item))
        if len(items) > 20:
            print("%s: ... %d more" % (title, len(items) - 20))
    with open(os.path.join(directory, "summary.json"), "w") as f:
        json.dump({"duplicates": len(dup_clients) + len(dup_events), "lost": len(missing), "differ": len(differ),
                   "stuck": stuck, "problems": problems, "faults": faults}, f, indent=2)
    return 1 if dup_clients or dup_events or missing or differ or stuck or problems else 0


def ts_of(message):
    """The time a violation message names first (its ISO stamp), for the fault window it falls in."""
    for word in message.split():
        if len(word) > 18 and word[4] == "-" and "T" in word:
            try:
                return ts(word)
            except ValueError:
                pass
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "capture":
        capture(argv[1], argv[2])
    elif len(argv) == 4 and argv[0] == "macs":
        print("\n".join(macs(argv[1], int(argv[2]), int(argv[3]))))
    elif len(argv) in (5, 6) and argv[0] == "probe":
        return probe(argv[1], argv[2], int(argv[3]), argv[4], argv[5] if len(argv) == 6 else None)
    elif len(argv) == 2 and argv[0] == "audit":
        return audit(argv[1])
    elif len(argv) == 2 and argv[0] == "agree":
        differ = disagreements(read_table(os.path.join(argv[1], "table-a.csv")),
                               read_table(os.path.join(argv[1], "table-b.csv")))
        return 1 if differ else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
