package dev.tandem.protocol.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.dhcp.MalformedPacketException.Reason;
import dev.tandem.protocol.net.Ipv4;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DhcpCodecTest {

    private static final byte[] MAC = HexFormat.of().parseHex("02005e0000aa");

    private static DhcpMessage discover() {
        return DhcpMessage.builder()
                .xid(0x3903f326)
                .secs(3)
                .flags(DhcpMessage.FLAG_BROADCAST)
                .chaddr(MAC)
                .messageType(MessageType.DISCOVER)
                .option(DhcpOption.PARAMETER_REQUEST_LIST, "1, 3, 6, 15, 51")
                .option(DhcpOption.HOST_NAME, "printer")
                .build();
    }

    @Test
    void encodesHeaderFieldsAtTheirRfc2131Offsets() {
        byte[] wire = DhcpCodec.encode(
                discover().toBuilder().giaddr(Ipv4.parse("192.0.2.1")).build());

        assertThat(wire).hasSize(DhcpCodec.MIN_MESSAGE);
        assertThat(wire[0]).isEqualTo((byte) 1); // op BOOTREQUEST
        assertThat(wire[1]).isEqualTo((byte) 1); // htype ethernet
        assertThat(wire[2]).isEqualTo((byte) 6); // hlen
        assertThat(Arrays.copyOfRange(wire, 4, 8)).containsExactly(0x39, 0x03, 0xf3, 0x26);
        assertThat(Arrays.copyOfRange(wire, 8, 10)).containsExactly(0, 3);
        assertThat(Arrays.copyOfRange(wire, 10, 12)).containsExactly(0x80, 0);
        assertThat(Arrays.copyOfRange(wire, 24, 28)).containsExactly(192, 0, 2, 1);
        assertThat(Arrays.copyOfRange(wire, 28, 34)).isEqualTo(MAC);
        assertThat(Arrays.copyOfRange(wire, 236, 240)).containsExactly(99, 130, 83, 99);
        assertThat(Arrays.copyOfRange(wire, 240, 243)).containsExactly(53, 1, 1);
    }

    @Test
    void decodesWhatItEncodes() {
        DhcpMessage message = discover();
        DhcpMessage decoded = DhcpCodec.decode(DhcpCodec.encode(message));

        assertThat(decoded).isEqualTo(message);
        assertThat(decoded.messageType()).contains(MessageType.DISCOVER);
        assertThat(decoded.hostName()).contains("printer");
        assertThat(decoded.hardwareAddress()).isEqualTo(MAC);
        assertThat(decoded.broadcastFlag()).isTrue();
    }

    @Test
    void splitsOptionsLongerThan255OctetsAndConcatenatesThemBack() {
        byte[] big = new byte[600];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        DhcpMessage message = discover().toBuilder().option(224, big).build();
        byte[] wire = DhcpCodec.encode(message, 1500);

        List<Integer> lengths = new ArrayList<>();
        for (int i = 240; i < wire.length && (wire[i] & 0xff) != 255; i += 2 + (wire[i + 1] & 0xff)) {
            if ((wire[i] & 0xff) == 224) {
                lengths.add(wire[i + 1] & 0xff);
            }
        }
        assertThat(lengths).containsExactly(255, 255, 90); // RFC 3396 §5
        assertThat(DhcpCodec.decode(wire).options().get(224))
                .hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
    }

    @Test
    void putsRelayAgentInformationLast() {
        DhcpMessage message = DhcpMessage.builder()
                .messageType(MessageType.DISCOVER)
                .option(DhcpOption.RELAY_AGENT_INFORMATION, SubOptions.encode(java.util.Map.of(1, new byte[] {7})))
                .option(DhcpOption.HOST_NAME, "late")
                .build();
        byte[] wire = DhcpCodec.encode(message);

        int last = -1;
        for (int i = 240; (wire[i] & 0xff) != 255; i += 2 + (wire[i + 1] & 0xff)) {
            last = wire[i] & 0xff;
        }
        assertThat(last).isEqualTo(82);
    }

    @Test
    void overloadsFileAndSnameWhenTheOptionsFieldIsFull() {
        DhcpMessage message = discover().toBuilder()
                .option(224, new byte[250])
                .option(225, new byte[100])
                .option(226, new byte[40])
                .build();
        byte[] wire = DhcpCodec.encode(message, 576);

        assertThat(wire.length).isLessThanOrEqualTo(576);
        assertThat(Arrays.copyOfRange(wire, 240, 243)).containsExactly(52, 1, 3); // file and sname used
        assertThat(wire[108] & 0xff).isEqualTo(225); // file area starts with the option that spilled
        assertThat(DhcpCodec.decode(wire)).isEqualTo(message);
    }

    @Test
    void keepsEverythingInTheOptionsFieldWhenFileOrSnameIsInUse() {
        DhcpMessage message = discover().toBuilder()
                .file("pxelinux.0")
                .option(224, new byte[400])
                .build();
        byte[] wire = DhcpCodec.encode(message, 576);

        assertThat(wire.length).isGreaterThan(576);
        assertThat(DhcpCodec.decode(wire)).isEqualTo(message);
    }

    @Test
    void readsOverloadedOptionsInRfc3396Order() {
        byte[] wire = DhcpCodec.encode(discover());
        // Rewrite by hand: option 52 = 1 (file), and place a host name chunk in file.
        byte[] p = Arrays.copyOf(wire, wire.length);
        int end = 240;
        while ((p[end] & 0xff) != 255) {
            end += 2 + (p[end + 1] & 0xff);
        }
        p[end] = 52;
        p[end + 1] = 1;
        p[end + 2] = 1;
        p[end + 3] = (byte) 255;
        byte[] more = {12, 3, 'x', 'y', 'z', (byte) 255};
        System.arraycopy(more, 0, p, 108, more.length);

        DhcpMessage decoded = DhcpCodec.decode(p);

        assertThat(decoded.hostName()).contains("printerxyz");
        assertThat(decoded.file()).containsOnly(0);
        assertThat(decoded.options().has(52)).isFalse();
    }

    @Test
    void rejectsShortPackets() {
        assertThatThrownBy(() -> DhcpCodec.decode(new byte[239]))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.TOO_SHORT));
    }

    @Test
    void rejectsAMissingMagicCookie() {
        byte[] wire = DhcpCodec.encode(discover());
        wire[236] = 0;
        assertThatThrownBy(() -> DhcpCodec.decode(wire))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.BAD_MAGIC_COOKIE));
    }

    @Test
    void rejectsAnUnknownOp() {
        byte[] wire = DhcpCodec.encode(discover());
        wire[0] = 3;
        assertThatThrownBy(() -> DhcpCodec.decode(wire))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.BAD_OP));
    }

    @Test
    void rejectsAHardwareLengthOver16() {
        byte[] wire = DhcpCodec.encode(discover());
        wire[2] = 17;
        assertThatThrownBy(() -> DhcpCodec.decode(wire))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.BAD_HARDWARE_LENGTH));
    }

    @Test
    void rejectsAnOptionRunningPastTheEnd() {
        byte[] wire = Arrays.copyOf(DhcpCodec.encode(discover()), 244);
        wire[240] = 12;
        wire[241] = 10; // claims 10 octets, 2 remain
        assertThatThrownBy(() -> DhcpCodec.decode(wire))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.TRUNCATED_OPTION));
    }

    @Test
    void rejectsABadOverloadValue() {
        byte[] wire = DhcpCodec.encode(discover());
        byte[] p = Arrays.copyOf(wire, wire.length);
        p[240] = 52;
        p[241] = 1;
        p[242] = 7;
        p[243] = (byte) 255;
        assertThatThrownBy(() -> DhcpCodec.decode(p))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.BAD_OVERLOAD));
    }

    @Test
    void toleratesAMissingEndOption() {
        byte[] wire = Arrays.copyOf(DhcpCodec.encode(discover()), 243);
        assertThat(DhcpCodec.decode(wire).messageType()).contains(MessageType.DISCOVER);
    }

    @Test
    void passesUnknownOptionsThroughUntouched() {
        DhcpMessage message =
                discover().toBuilder().option(250, new byte[] {1, 2, 3}).build();
        assertThat(DhcpCodec.decode(DhcpCodec.encode(message)).options().get(250))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
    }

    @Test
    void replyCopiesWhatRfc2131AndRfc3046Require() {
        byte[] relayInfo = SubOptions.encode(java.util.Map.of(SubOptions.CIRCUIT_ID, new byte[] {9}));
        DhcpMessage request = discover().toBuilder()
                .giaddr(Ipv4.parse("192.0.2.1"))
                .hops(1)
                .option(DhcpOption.CLIENT_IDENTIFIER, new byte[] {1, 2, 0, 94, 0, 0, (byte) 0xaa})
                .option(DhcpOption.RELAY_AGENT_INFORMATION, relayInfo)
                .build();

        DhcpMessage reply = request.replyBuilder(MessageType.OFFER).build();

        assertThat(reply.op()).isEqualTo(DhcpMessage.BOOTREPLY);
        assertThat(reply.xid()).isEqualTo(request.xid());
        assertThat(reply.flags()).isEqualTo(request.flags());
        assertThat(reply.giaddr()).isEqualTo(request.giaddr());
        assertThat(reply.hops()).isZero();
        assertThat(reply.chaddr()).isEqualTo(request.chaddr());
        assertThat(reply.messageType()).contains(MessageType.OFFER);
        assertThat(reply.options().get(DhcpOption.CLIENT_IDENTIFIER).orElseThrow())
                .isEqualTo(request.clientIdentifier().orElseThrow());
        assertThat(reply.options().get(DhcpOption.RELAY_AGENT_INFORMATION))
                .hasValueSatisfying(v -> assertThat(v).isEqualTo(relayInfo));
        assertThat(reply.options().has(DhcpOption.PARAMETER_REQUEST_LIST.code()))
                .isFalse();
    }

    @Test
    void readsLinkSelectionFromRelayAgentInformation() {
        byte[] relayInfo = SubOptions.encode(java.util.Map.of(SubOptions.LINK_SELECTION, new byte[] {10, 1, 2, 0}));
        DhcpMessage request = discover().toBuilder()
                .option(DhcpOption.RELAY_AGENT_INFORMATION, relayInfo)
                .build();
        assertThat(request.linkSelection()).contains(Ipv4.parse("10.1.2.0"));
    }

    @Test
    void aValueOfTheWrongSizeReadsAsAbsent() {
        DhcpMessage request = discover().toBuilder()
                .option(DhcpOption.REQUESTED_ADDRESS, new byte[] {1, 2})
                .build();
        assertThat(request.requestedAddress()).isEmpty();
    }
}
