package dev.tandem.protocol.dhcp;

import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The value types of DHCP options. Each type turns the operator's text form into wire bytes ({@link #parse}), checks
 * wire bytes ({@link #validate}) and renders them back to text ({@link #format}), so configuration, the codec and the
 * admin API share one definition.
 */
public enum OptionType {
    /** One IPv4 address. */
    IPV4 {
        @Override
        byte[] parseText(String text) {
            return Ipv4.parse(text).toBytes();
        }

        @Override
        String check(byte[] data) {
            return data.length == 4 ? null : "must be 4 bytes";
        }

        @Override
        String formatChecked(byte[] data) {
            return Ipv4.of(data, 0).toString();
        }
    },
    /** One or more IPv4 addresses, comma separated in text. */
    IPV4_LIST {
        @Override
        byte[] parseText(String text) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String item : items(text)) {
                out.writeBytes(Ipv4.parse(item).toBytes());
            }
            return out.toByteArray();
        }

        @Override
        String check(byte[] data) {
            return data.length >= 4 && data.length % 4 == 0 ? null : "must be a non-empty multiple of 4 bytes";
        }

        @Override
        String formatChecked(byte[] data) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < data.length; i += 4) {
                out.add(Ipv4.of(data, i).toString());
            }
            return String.join(", ", out);
        }
    },
    U8 {
        @Override
        byte[] parseText(String text) {
            return new byte[] {(byte) number(text, 0, 0xff)};
        }

        @Override
        String check(byte[] data) {
            return data.length == 1 ? null : "must be 1 byte";
        }

        @Override
        String formatChecked(byte[] data) {
            return Integer.toString(data[0] & 0xff);
        }
    },
    U16 {
        @Override
        byte[] parseText(String text) {
            long v = number(text, 0, 0xffff);
            return new byte[] {(byte) (v >>> 8), (byte) v};
        }

        @Override
        String check(byte[] data) {
            return data.length == 2 ? null : "must be 2 bytes";
        }

        @Override
        String formatChecked(byte[] data) {
            return Integer.toString(((data[0] & 0xff) << 8) | (data[1] & 0xff));
        }
    },
    U32 {
        @Override
        byte[] parseText(String text) {
            return int32(number(text, 0, 0xffffffffL));
        }

        @Override
        String check(byte[] data) {
            return data.length == 4 ? null : "must be 4 bytes";
        }

        @Override
        String formatChecked(byte[] data) {
            return Long.toString(Ipv4.of(data, 0).unsigned());
        }
    },
    I32 {
        @Override
        byte[] parseText(String text) {
            return int32(number(text, Integer.MIN_VALUE, Integer.MAX_VALUE));
        }

        @Override
        String check(byte[] data) {
            return data.length == 4 ? null : "must be 4 bytes";
        }

        @Override
        String formatChecked(byte[] data) {
            return Integer.toString(Ipv4.of(data, 0).bits());
        }
    },
    BOOL {
        @Override
        byte[] parseText(String text) {
            return switch (text.trim().toLowerCase()) {
                case "true", "1", "on" -> new byte[] {1};
                case "false", "0", "off" -> new byte[] {0};
                default -> throw new IllegalArgumentException("not a boolean: '" + text + "'");
            };
        }

        @Override
        String check(byte[] data) {
            return data.length == 1 && (data[0] == 0 || data[0] == 1) ? null : "must be one byte 0 or 1";
        }

        @Override
        String formatChecked(byte[] data) {
            return data[0] == 1 ? "true" : "false";
        }
    },
    /** NVT ASCII text (RFC 2132 §2: no trailing NUL required). */
    STRING {
        @Override
        byte[] parseText(String text) {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        String check(byte[] data) {
            return data.length >= 1 ? null : "must not be empty";
        }

        @Override
        String formatChecked(byte[] data) {
            int end = data.length;
            while (end > 0 && data[end - 1] == 0) {
                end--; // some clients send a trailing NUL
            }
            return new String(data, 0, end, StandardCharsets.UTF_8);
        }
    },
    /** Opaque bytes, hex in text ("01:02:0a" or "01020a"). */
    BYTES {
        @Override
        byte[] parseText(String text) {
            return hex(text);
        }

        @Override
        String check(byte[] data) {
            return null;
        }

        @Override
        String formatChecked(byte[] data) {
            return HexFormat.ofDelimiter(":").formatHex(data);
        }
    },
    /** A list of option codes (option 55). */
    U8_LIST {
        @Override
        byte[] parseText(String text) {
            List<String> items = items(text);
            byte[] out = new byte[items.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) number(items.get(i), 0, 255);
            }
            return out;
        }

        @Override
        String check(byte[] data) {
            return data.length >= 1 ? null : "must not be empty";
        }

        @Override
        String formatChecked(byte[] data) {
            List<String> out = new ArrayList<>();
            for (byte b : data) {
                out.add(Integer.toString(b & 0xff));
            }
            return String.join(", ", out);
        }
    },
    /** Domain search list (RFC 3397): names in RFC 1035 wire form, compression allowed when decoding. */
    DOMAIN_LIST {
        @Override
        byte[] parseText(String text) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String name : items(text)) {
                out.writeBytes(DomainNames.encode(name));
            }
            return out.toByteArray();
        }

        @Override
        String check(byte[] data) {
            try {
                DomainNames.decodeList(data);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        @Override
        String formatChecked(byte[] data) {
            return String.join(", ", DomainNames.decodeList(data));
        }
    },
    /** Classless static routes (RFC 3442): "dest/len router" items, comma separated. */
    CLASSLESS_ROUTES {
        @Override
        byte[] parseText(String text) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String item : items(text)) {
                String[] parts = item.trim().split("\\s+");
                if (parts.length != 2) {
                    throw new IllegalArgumentException("route must be 'destination/len router': '" + item + "'");
                }
                Subnet destination = Subnet.parse(parts[0]);
                Ipv4 router = Ipv4.parse(parts[1]);
                int significant = (destination.prefixLength() + 7) / 8;
                out.write(destination.prefixLength());
                out.write(destination.network().toBytes(), 0, significant);
                out.writeBytes(router.toBytes());
            }
            return out.toByteArray();
        }

        @Override
        String check(byte[] data) {
            try {
                routes(data);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        @Override
        String formatChecked(byte[] data) {
            return String.join(", ", routes(data));
        }
    },
    /** Sub-options as code-length-value triples (option 82, RFC 3046; option 43). */
    SUBOPTIONS {
        @Override
        byte[] parseText(String text) {
            byte[] data = hex(text);
            String problem = check(data);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return data;
        }

        @Override
        String check(byte[] data) {
            try {
                SubOptions.parse(data);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        @Override
        String formatChecked(byte[] data) {
            return HexFormat.ofDelimiter(":").formatHex(data);
        }
    },
    /** Client FQDN (RFC 4702): flags, two obsolete rcodes, then the name; shown as hex. */
    CLIENT_FQDN {
        @Override
        byte[] parseText(String text) {
            return hex(text);
        }

        @Override
        String check(byte[] data) {
            return data.length >= 3 ? null : "must be at least 3 bytes";
        }

        @Override
        String formatChecked(byte[] data) {
            return HexFormat.ofDelimiter(":").formatHex(data);
        }
    };

    abstract byte[] parseText(String text);

    /** Null when the bytes are a valid value of this type, else what is wrong. */
    abstract String check(byte[] data);

    abstract String formatChecked(byte[] data);

    /** Turns the text form into wire bytes; throws {@link IllegalArgumentException} saying what is wrong. */
    public byte[] parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("value is missing");
        }
        byte[] data = parseText(text);
        if (data.length > 255 * 16) {
            throw new IllegalArgumentException("value is too long (" + data.length + " bytes)");
        }
        return data;
    }

    /** Throws {@link IllegalArgumentException} when the bytes are not a value of this type. */
    public void validate(byte[] data) {
        String problem = check(data);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Text form of valid bytes, or hex of invalid ones (so logs never throw). */
    public String format(byte[] data) {
        return check(data) == null
                ? formatChecked(data)
                : HexFormat.ofDelimiter(":").formatHex(data);
    }

    private static List<String> items(String text) {
        List<String> out = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                out.add(item.trim());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return out;
    }

    private static long number(String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: '" + text + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " is outside " + min + ".." + max);
        }
        return value;
    }

    private static byte[] int32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static byte[] hex(String text) {
        String digits = text.trim().replace(":", "").replace("-", "").replace(" ", "");
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("hex must have an even number of digits: '" + text + "'");
        }
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not hex: '" + text + "'");
        }
    }

    private static List<String> routes(byte[] data) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            int len = data[i] & 0xff;
            if (len > 32) {
                throw new IllegalArgumentException("route prefix length " + len + " > 32");
            }
            int significant = (len + 7) / 8;
            if (i + 1 + significant + 4 > data.length) {
                throw new IllegalArgumentException("route truncated");
            }
            byte[] dest = new byte[4];
            System.arraycopy(data, i + 1, dest, 0, significant);
            Ipv4 network = Ipv4.of(dest, 0);
            Ipv4 router = Ipv4.of(data, i + 1 + significant);
            out.add(network + "/" + len + " " + router);
            i += 1 + significant + 4;
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return out;
    }
}
