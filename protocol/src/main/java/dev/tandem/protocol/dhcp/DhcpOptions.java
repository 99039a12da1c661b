package dev.tandem.protocol.dhcp;

import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of a message: code to raw value, in order of first appearance. Immutable. Values are raw bytes (long
 * options already concatenated per RFC 3396); typed reading is done by {@link DhcpMessage}'s accessors and
 * {@link OptionType}. Equality compares codes and values, not order.
 */
public final class DhcpOptions {

    public static final DhcpOptions EMPTY = new DhcpOptions(Map.of());

    private final Map<Integer, byte[]> values;

    private DhcpOptions(Map<Integer, byte[]> values) {
        this.values = values;
    }

    static DhcpOptions wrap(LinkedHashMap<Integer, byte[]> values) {
        return new DhcpOptions(Collections.unmodifiableMap(values));
    }

    public Optional<byte[]> get(int code) {
        byte[] value = values.get(code);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    public Optional<byte[]> get(DhcpOption option) {
        return get(option.code());
    }

    public boolean has(int code) {
        return values.containsKey(code);
    }

    public Set<Integer> codes() {
        return values.keySet();
    }

    public int size() {
        return values.size();
    }

    /** Raw value without a copy, for the codec. */
    byte[] raw(int code) {
        return values.get(code);
    }

    public DhcpOptions with(int code, byte[] value) {
        if (code <= DhcpOption.PAD || code >= DhcpOption.END) {
            throw new IllegalArgumentException("option code must be 1..254, was " + code);
        }
        LinkedHashMap<Integer, byte[]> copy = new LinkedHashMap<>(values);
        copy.put(code, value.clone());
        return wrap(copy);
    }

    public DhcpOptions with(DhcpOption option, byte[] value) {
        return with(option.code(), value);
    }

    public DhcpOptions without(int code) {
        if (!values.containsKey(code)) {
            return this;
        }
        LinkedHashMap<Integer, byte[]> copy = new LinkedHashMap<>(values);
        copy.remove(code);
        return wrap(copy);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || !values.keySet().equals(other.values.keySet())) {
            return false;
        }
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.values.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            h += e.getKey() ^ Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        values.forEach((code, value) -> {
            if (out.length() > 1) {
                out.append(", ");
            }
            Optional<DhcpOption> known = DhcpOption.byCode(code);
            out.append(known.map(DhcpOption::optionName).orElse("option-" + code))
                    .append('=')
                    .append(known.map(o -> o.type().format(value))
                            .orElseGet(() -> HexFormat.of().formatHex(value)));
        });
        return out.append('}').toString();
    }
}
