package dev.tandem.protocol.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.net.Ipv4;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class DhcpCodecPropertyTest {

    @Property(tries = 2000)
    void decodeOfEncodeIsIdentity(@ForAll("messages") DhcpMessage message) {
        assertThat(DhcpCodec.decode(DhcpCodec.encode(message))).isEqualTo(message);
    }

    @Property(tries = 3000)
    void arbitraryBytesNeverThrowAnythingButMalformedPacket(@ForAll @Size(max = 700) byte[] bytes) {
        decodeOrMalformed(bytes);
    }

    @Property(tries = 3000)
    void arbitraryOptionsAfterAValidHeaderNeverThrowAnythingButMalformedPacket(
            @ForAll @Size(max = 400) byte[] tail, @ForAll("messages") DhcpMessage base) {
        byte[] header = Arrays.copyOf(DhcpCodec.encode(base), 240);
        byte[] packet = Arrays.copyOf(header, 240 + tail.length);
        System.arraycopy(tail, 0, packet, 240, tail.length);
        decodeOrMalformed(packet);
    }

    @Property(tries = 1000)
    void mutatedValidPacketsNeverThrowAnythingButMalformedPacket(
            @ForAll("messages") DhcpMessage message, @ForAll int position, @ForAll byte value) {
        byte[] packet = DhcpCodec.encode(message);
        packet[Math.floorMod(position, packet.length)] = value;
        decodeOrMalformed(packet);
    }

    private static void decodeOrMalformed(byte[] packet) {
        try {
            DhcpMessage decoded = DhcpCodec.decode(packet);
            // whatever decodes must also encode and read the same again
            assertThat(DhcpCodec.decode(DhcpCodec.encode(decoded, 4096))).isEqualTo(decoded);
        } catch (MalformedPacketException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Provide
    Arbitrary<DhcpMessage> messages() {
        Arbitrary<Ipv4> addresses = Arbitraries.integers().map(Ipv4::new);
        Arbitrary<byte[]> chaddr = Arbitraries.bytes().array(byte[].class).ofMaxSize(16);
        Arbitrary<Integer> codes = Arbitraries.integers().between(1, 254).filter(c -> c != 52);
        Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<java.util.Map<Integer, byte[]>> options =
                Arbitraries.maps(codes, values).ofMaxSize(12);
        Arbitrary<DhcpMessage.Builder> header = Combinators.combine(
                        Arbitraries.of(DhcpMessage.BOOTREQUEST, DhcpMessage.BOOTREPLY),
                        Arbitraries.integers().between(0, 255),
                        Arbitraries.integers().between(0, 16),
                        Arbitraries.integers(),
                        Arbitraries.integers().between(0, 0xffff),
                        Arbitraries.integers().between(0, 0xffff),
                        chaddr)
                .as((op, htype, hlen, xid, secs, flags, hw) -> DhcpMessage.builder()
                        .op(op)
                        .htype(htype)
                        .hlen(hlen)
                        .xid(xid)
                        .secs(secs)
                        .flags(flags)
                        .chaddr(hw));
        return Combinators.combine(header, addresses, addresses, addresses, options, Arbitraries.of(true, false))
                .as((b, ci, yi, gi, opts, named) -> {
                    b.ciaddr(ci).yiaddr(yi).giaddr(gi);
                    if (named) {
                        b.sname("server.example").file("boot/pxelinux.0");
                    }
                    opts.forEach(b::option);
                    return b.build();
                });
    }
}
