package dev.tandem.protocol.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** RFC 1035 §3.1 domain names in wire form, with §4.1.4 compression when reading (RFC 3397 allows it). */
final class DomainNames {

    private DomainNames() {}

    static byte[] encode(String name) {
        String trimmed = name.trim();
        if (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty domain name");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : trimmed.split("\\.", -1)) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0 || bytes.length > 63) {
                throw new IllegalArgumentException("bad label '" + label + "' in '" + name + "'");
            }
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.write(0);
        if (out.size() > 255) {
            throw new IllegalArgumentException("domain name too long: '" + name + "'");
        }
        return out.toByteArray();
    }

    static List<String> decodeList(byte[] data) {
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            StringBuilder name = new StringBuilder();
            i = readName(data, i, name);
            names.add(name.toString());
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("empty domain list");
        }
        return names;
    }

    /** Reads one name starting at offset; returns the offset after it in the uncompressed stream. */
    private static int readName(byte[] data, int offset, StringBuilder name) {
        int pos = offset;
        int next = -1;
        int jumps = 0;
        while (true) {
            if (pos >= data.length) {
                throw new IllegalArgumentException("domain name runs past the end");
            }
            int len = data[pos] & 0xff;
            if (len == 0) {
                return next >= 0 ? next : pos + 1;
            }
            if ((len & 0xc0) == 0xc0) {
                if (pos + 1 >= data.length) {
                    throw new IllegalArgumentException("truncated compression pointer");
                }
                int target = ((len & 0x3f) << 8) | (data[pos + 1] & 0xff);
                if (next < 0) {
                    next = pos + 2;
                }
                if (++jumps > 64 || target >= pos) {
                    throw new IllegalArgumentException("bad compression pointer");
                }
                pos = target;
                continue;
            }
            if ((len & 0xc0) != 0 || pos + 1 + len > data.length) {
                throw new IllegalArgumentException("bad label length " + len);
            }
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(data, pos + 1, len, StandardCharsets.US_ASCII));
            pos += 1 + len;
        }
    }
}
