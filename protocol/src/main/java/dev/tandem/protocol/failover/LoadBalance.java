package dev.tandem.protocol.failover;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The load-balancing hash of RFC 3074 and the hash bucket assignment (HBA) that maps its 256 buckets to the two servers
 * of a relationship. Buckets are numbered as ISC dhcpd does (bucket b is bit b&7 of octet b>>3) and a set bit means the
 * PRIMARY serves the client, the polarity ISC puts in CONNECT (the draft's §12.11 text says the opposite).
 */
public final class LoadBalance {

    /** RFC 3074 §6 mixing table, a permutation of 0..255. */
    private static final int[] TABLE = {
        251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232,
        31, 32, 55, 60, 152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57, 223,
        59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65,
        180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16,
        40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244, 67,
        207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5,
        20, 113, 71, 35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245,
        230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115, 241, 73, 88, 105,
        39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84,
        82, 163, 44, 139, 228, 236, 205, 242, 217, 11, 187, 146, 159, 64, 86, 239,
        195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253,
        137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238,
        56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50,
        33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125, 188, 213,
        96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4,
        216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151
    };

    private LoadBalance() {}

    /**
     * RFC 3074 §6: the bucket (0..255) of a client. The key is the client identifier (option 61 data) when present and
     * non-empty, else chaddr for hlen octets without the htype (draft-ietf-dhc-failover-12 §9.8.2).
     */
    public static int bucket(byte[] key) {
        int h = key.length & 0xff;
        for (int i = key.length - 1; i >= 0; i--) {
            h = TABLE[h ^ (key[i] & 0xff)];
        }
        return h;
    }

    /**
     * The secs field as the client meant it: some clients send it byte-swapped, so a value above 255 whose low octet is
     * zero is swapped back (ISC's check-secs-byte-order, Kea's unacked-client analysis).
     */
    public static int effectiveSecs(int secs) {
        if (secs > 255 && (secs & 0xff) == 0) {
            return secs >>> 8;
        }
        return secs;
    }

    /** A 256-bit hash bucket assignment; a set bit gives the bucket to the primary. */
    public static final class Buckets {

        private final byte[] bits;

        private Buckets(byte[] bits) {
            this.bits = bits;
        }

        public static Buckets of(byte[] hba) {
            if (hba.length != 32) {
                throw new IllegalArgumentException("a hash bucket assignment has 32 octets, not " + hba.length);
            }
            return new Buckets(hba.clone());
        }

        public static Buckets ofHex(String hex) {
            return of(HexFormat.of().parseHex(hex));
        }

        /** ISC's {@code split n}: buckets 0..n-1 to the primary (0..256). */
        public static Buckets split(int n) {
            if (n < 0 || n > 256) {
                throw new IllegalArgumentException("split " + n + " is outside 0..256");
            }
            byte[] bits = new byte[32];
            for (int b = 0; b < n; b++) {
                bits[b >>> 3] |= (byte) (1 << (b & 7));
            }
            return new Buckets(bits);
        }

        /** The primary's share as a percentage (Windows' load-balance percentage), rounded to a bucket. */
        public static Buckets primaryPercent(int percent) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("percentage " + percent + " is outside 0..100");
            }
            return split(Math.round(percent * 256f / 100f));
        }

        public boolean primaryServes(int bucket) {
            return (bits[(bucket >>> 3) & 0x1f] & (1 << (bucket & 7))) != 0;
        }

        public int primaryBuckets() {
            int n = 0;
            for (int b = 0; b < 256; b++) {
                n += primaryServes(b) ? 1 : 0;
            }
            return n;
        }

        public byte[] bytes() {
            return bits.clone();
        }

        public String hex() {
            return HexFormat.of().formatHex(bits);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Buckets other && Arrays.equals(other.bits, bits);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bits);
        }

        @Override
        public String toString() {
            return hex();
        }
    }
}
