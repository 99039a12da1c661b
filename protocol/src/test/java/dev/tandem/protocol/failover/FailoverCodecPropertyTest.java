package dev.tandem.protocol.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.failover.FailoverMessage.Option;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class FailoverCodecPropertyTest {

    @Provide
    Arbitrary<FailoverMessage> messages() {
        Arbitrary<Option> option = Arbitraries.integers().between(1, 40).flatMap(code -> {
            int fixed = FailoverOption.of(code).map(FailoverOption::length).orElse(-1);
            Arbitrary<byte[]> data = fixed >= 0
                    ? Arbitraries.bytes().array(byte[].class).ofSize(fixed)
                    : Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
            return data.map(d -> new Option(code, d));
        });
        return Combinators.combine(
                        Arbitraries.integers().between(0, 255),
                        Arbitraries.longs().between(0, 0xffffffffL),
                        Arbitraries.longs().between(0, 0xffffffffL),
                        option.list().ofMaxSize(20))
                .as(FailoverMessage::new);
    }

    @Property
    void decodeOfEncodeIsIdentity(@ForAll("messages") FailoverMessage m) {
        assertThat(FailoverCodec.decode(FailoverCodec.encode(m))).isEqualTo(m);
    }

    @Property
    void arbitraryBytesDecodeOrThrowOnlyTheMalformedException(@ForAll @Size(max = 300) byte[] bytes) {
        decodesExactlyOrIsMalformed(bytes);
    }

    /**
     * Either the only exception allowed, or a message that is what the bytes say: encoded again it has the same message
     * type, time and xid, and the same options octet for octet (nothing read past the message's length, skipped or
     * made up; extra header octets before the payload offset, which the draft lets a sender add, are not kept).
     */
    static void decodesExactlyOrIsMalformed(byte[] wire) {
        FailoverMessage decoded;
        try {
            decoded = FailoverCodec.decode(wire);
        } catch (MalformedMessageException expected) {
            return;
        }
        int length = ((wire[0] & 0xff) << 8) | (wire[1] & 0xff);
        int offset = wire[3] & 0xff;
        byte[] again = FailoverCodec.encode(decoded);
        assertThat(Arrays.copyOfRange(again, 2, 3)).isEqualTo(Arrays.copyOfRange(wire, 2, 3));
        assertThat(Arrays.copyOfRange(again, 4, FailoverCodec.HEADER_LENGTH))
                .isEqualTo(Arrays.copyOfRange(wire, 4, FailoverCodec.HEADER_LENGTH));
        assertThat(Arrays.copyOfRange(again, FailoverCodec.HEADER_LENGTH, again.length))
                .isEqualTo(Arrays.copyOfRange(wire, offset, length));
    }

    @Property
    void mutatedMessagesDecodeOrThrowOnlyTheMalformedException(
            @ForAll("messages") FailoverMessage m, @ForAll @Size(min = 1, max = 8) List<Integer> flips) {
        byte[] wire = FailoverCodec.encode(m);
        for (int f : flips) {
            int at = Math.floorMod(f, wire.length);
            wire[at] ^= (byte) (f >>> 8 | 1);
        }
        decodesExactlyOrIsMalformed(wire);
    }
}
