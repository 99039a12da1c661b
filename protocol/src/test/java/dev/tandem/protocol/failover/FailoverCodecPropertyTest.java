package dev.tandem.protocol.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.failover.FailoverMessage.Option;
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
        try {
            FailoverCodec.decode(bytes);
        } catch (MalformedMessageException expected) {
            // the only exception allowed
        }
    }

    @Property
    void mutatedMessagesDecodeOrThrowOnlyTheMalformedException(
            @ForAll("messages") FailoverMessage m, @ForAll @Size(min = 1, max = 8) List<Integer> flips) {
        byte[] wire = FailoverCodec.encode(m);
        for (int f : flips) {
            int at = Math.floorMod(f, wire.length);
            wire[at] ^= (byte) (f >>> 8 | 1);
        }
        try {
            FailoverCodec.decode(wire);
        } catch (MalformedMessageException expected) {
            // the only exception allowed
        }
    }
}
