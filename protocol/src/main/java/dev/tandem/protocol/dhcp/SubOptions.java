package dev.tandem.protocol.dhcp;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sub-options as code-length-value triples, as in the relay agent information option (RFC 3046 §2.0). Immutable;
 * order kept.
 */
public final class SubOptions {

    /** RFC 3046 circuit id. */
    public static final int CIRCUIT_ID = 1;
    /** RFC 3046 remote id. */
    public static final int REMOTE_ID = 2;
    /** RFC 3527 link selection. */
    public static final int LINK_SELECTION = 5;
    /** RFC 5107 server identifier override. */
    public static final int SERVER_ID_OVERRIDE = 11;

    private final Map<Integer, byte[]> values;

    private SubOptions(Map<Integer, byte[]> values) {
        this.values = values;
    }

    /** Parses; throws {@link IllegalArgumentException} on truncation. */
    public static SubOptions parse(byte[] data) {
        Map<Integer, byte[]> values = new LinkedHashMap<>();
        int i = 0;
        while (i < data.length) {
            if (i + 2 > data.length) {
                throw new IllegalArgumentException("sub-option header truncated at " + i);
            }
            int code = data[i] & 0xff;
            int len = data[i + 1] & 0xff;
            if (i + 2 + len > data.length) {
                throw new IllegalArgumentException("sub-option " + code + " truncated");
            }
            values.put(code, Arrays.copyOfRange(data, i + 2, i + 2 + len));
            i += 2 + len;
        }
        return new SubOptions(Collections.unmodifiableMap(values));
    }

    public Optional<byte[]> get(int code) {
        byte[] value = values.get(code);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    public Map<Integer, byte[]> asMap() {
        return values;
    }

    public static byte[] encode(Map<Integer, byte[]> subOptions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        subOptions.forEach((code, value) -> {
            if (value.length > 255) {
                throw new IllegalArgumentException("sub-option " + code + " longer than 255 bytes");
            }
            out.write(code);
            out.write(value.length);
            out.writeBytes(value);
        });
        return out.toByteArray();
    }
}
