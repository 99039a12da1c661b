#!/usr/bin/env python3
"""DORA latency percentiles from a packet capture of a perfdhcp step (tcpdump -w, UDP port 67).

perfdhcp reports only the average and the maximum delay. This reads the capture, matches each client's DISCOVER,
OFFER, REQUEST and ACK by hardware address (every perfdhcp client has its own), and prints the percentiles of
DISCOVER->OFFER, REQUEST->ACK and the whole DORA (first DISCOVER to ACK, perfdhcp's own turnaround included).

    bench/latency.py capture.pcap
"""
import math
import struct
import sys

DISCOVER, OFFER, REQUEST, ACK = 1, 2, 3, 5


def packets(path):
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            return
        magic = struct.unpack("<I", header[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        else:
            endian = ">"
            magic = struct.unpack(">I", header[:4])[0]
        scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
        linktype = struct.unpack(endian + "I", header[20:24])[0]
        link = {1: 14, 113: 16, 276: 20, 0: 4}.get(linktype)
        if link is None:
            raise SystemExit(f"unsupported link type {linktype}")
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            sec, frac, caplen, _ = struct.unpack(endian + "IIII", record)
            data = f.read(caplen)
            yield sec + frac * scale, data[link:]


def dhcp(ip):
    """(message type, hardware address) of a DHCP packet in an IPv4 datagram, or None."""
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
        return None
    bootp = ip[(ip[0] & 0x0F) * 4 + 8:]
    if len(bootp) < 244 or bootp[236:240] != b"\x63\x82\x53\x63":
        return None
    hw = bootp[28:28 + min(bootp[2], 16)]
    i = 240
    while i < len(bootp):
        code = bootp[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(bootp):
            break
        length = bootp[i + 1]
        if code == 53 and length >= 1 and i + 2 < len(bootp):
            return bootp[i + 2], hw
        i += 2 + length
    return None


def percentile(values, p):
    ordered = sorted(values)
    rank = max(0, math.ceil(p / 100 * len(ordered)) - 1)  # nearest rank
    return ordered[rank]


def main(path):
    first = {}  # (hw, type) -> first time seen
    for t, ip in packets(path):
        parsed = dhcp(ip)
        if parsed:
            first.setdefault((parsed[1], parsed[0]), t)
    clients = {hw for hw, _ in first}
    do, ra, dora = [], [], []
    for hw in clients:
        d, o, r, a = (first.get((hw, k)) for k in (DISCOVER, OFFER, REQUEST, ACK))
        if d is not None and o is not None and o >= d:
            do.append(o - d)
        if r is not None and a is not None and a >= r:
            ra.append(a - r)
        if d is not None and a is not None and a >= d:
            dora.append(a - d)
    print(f"clients {len(clients)}, complete DORA {len(dora)}")
    for name, values in (("DISCOVER-OFFER", do), ("REQUEST-ACK", ra), ("DORA", dora)):
        if not values:
            print(f"{name:15s} no complete exchange")
            continue
        ms = [v * 1000 for v in values]
        print(
            f"{name:15s} n {len(ms):6d}  p50 {percentile(ms, 50):7.2f} ms  p90 {percentile(ms, 90):7.2f} ms"
            f"  p99 {percentile(ms, 99):7.2f} ms  max {max(ms):8.2f} ms"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
