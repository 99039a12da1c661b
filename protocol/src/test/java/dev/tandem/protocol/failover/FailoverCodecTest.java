package dev.tandem.protocol.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.net.Ipv4;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The failover codec against messages captured from ISC dhcpd 4.4.3-P1 (reference failover-wire §11). */
class FailoverCodecTest {

    static final String ISC_CONNECT = "0068050c6b026c5f00000000 0016 0002 666f 000e 0004 0000000a 0013 0004 0000001e"
            + "001c 000c 6973632d342e342e332d5031 0014 0001 01 001b 0001 00 000f 0004 00000014"
            + "000b 0020 ffffffffffffffffffffffffffffffff00000000000000000000000000000000";
    static final String ISC_CONNECTACK = "003c060c6b026d9100000064 00160002666f 000e00040000000a 001300040000000a"
            + "001c000c6973632d342e342e332d5031 0014000101 001a000100";
    static final String ISC_CONNECTACK_REJECT =
            "0050060c6b026cd80000004d 00160002666f 000e00040000000a 001300040000001e"
                    + "001c000c6973632d342e342e332d5031 0014000101 001a000100 0015000112 0010000b696e76616c696420484241";
    static final String ISC_BNDUPD_BACKUP = "0031030c6b026c7300000008 000200040a630064 0003000107 000d000400000000"
            + "001200046b026c73 001900046b026c73";
    static final String ISC_BNDUPD_ACTIVE =
            "0047030c6b026da50000000f 000200040a630069 0003000102 0004000701aabbccddee01"
                    + "0005000701aabbccddee01 000d00046b026fee 0012000400000000 001900046b026d91";
    static final String ISC_BNDACK_REJECT = "0032040c6b026d960000012e 000200040a63006a 0015000103"
            + "00100015424e4455504420776974686f757420434841444452";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "CONNECT," + ISC_CONNECT,
        "CONNECTACK," + ISC_CONNECTACK,
        "CONNECTACK reject," + ISC_CONNECTACK_REJECT,
        "STATE startup,001e0a0c6b026c5f00000001 0018000106 0017000101 001900046b026c5f",
        "STATE recover-wait,001e0a0c6b026c6100000004 00180001fe 0017000100 001900046b026c5f",
        "UPDREQALL,000c070c6b026c5f00000003",
        "CONTACT,000c0b0c6b026c6b00000005",
        "UPDDONE,000c080c6b026da6000000d4",
        "POOLRESP,0014020c6b026d40000000ca 0001000400000000",
        "BNDUPD backup," + ISC_BNDUPD_BACKUP,
        "BNDUPD active," + ISC_BNDUPD_ACTIVE,
        "BNDACK accept,0014040c6b026c61000003ea 000200040a630069",
        "BNDACK reject," + ISC_BNDACK_REJECT
    })
    void decodesAndReencodesIscCapturesByteForByte(String name, String capture) {
        byte[] wire = hex(capture);
        FailoverMessage m = FailoverCodec.decode(wire);
        assertThat(FailoverCodec.encode(m)).isEqualTo(wire);
    }

    @Test
    void readsTheIscConnect() {
        FailoverMessage m = FailoverCodec.decode(hex(ISC_CONNECT));
        assertThat(m.messageType()).contains(MessageType.CONNECT);
        assertThat(m.xid()).isZero();
        assertThat(m.text(FailoverOption.RELATIONSHIP_NAME)).contains("fo");
        assertThat(m.u32(FailoverOption.MAX_UNACKED_BNDUPD)).contains(10L);
        assertThat(m.u32(FailoverOption.RECEIVE_TIMER)).contains(30L);
        assertThat(m.u32(FailoverOption.MCLT)).contains(20L);
        assertThat(m.text(FailoverOption.VENDOR_CLASS)).contains("isc-4.4.3-P1");
        assertThat(LoadBalance.Buckets.of(
                        m.bytes(FailoverOption.HASH_BUCKET_ASSIGNMENT).orElseThrow()))
                .isEqualTo(LoadBalance.Buckets.split(128));
    }

    @Test
    void ourConnectHasIscsLayout() {
        FailoverMessage isc = FailoverCodec.decode(hex(ISC_CONNECT));
        FailoverMessage ours = FailoverMessages.connect(
                isc.time(), "fo", 10, 30, "isc-4.4.3-P1", 20, LoadBalance.Buckets.primaryPercent(50));
        assertThat(FailoverCodec.encode(ours)).isEqualTo(hex(ISC_CONNECT));
    }

    @Test
    void ourConnectAckHasIscsLayout() {
        FailoverMessage isc = FailoverCodec.decode(hex(ISC_CONNECTACK_REJECT));
        FailoverMessage ours = FailoverMessages.connectAck(
                isc.time(), isc.xid(), "fo", 10, 30, "isc-4.4.3-P1", RejectReason.HBA_CONFLICT, "invalid HBA");
        assertThat(FailoverCodec.encode(ours)).isEqualTo(hex(ISC_CONNECTACK_REJECT));
    }

    @Test
    void bindingUpdatesReadAndWriteLikeIsc() {
        FailoverMessage isc = FailoverCodec.decode(hex(ISC_BNDUPD_ACTIVE));
        Binding b = FailoverMessages.binding(isc).orElseThrow();
        assertThat(b.address()).isEqualTo(Ipv4.parse("10.99.0.105"));
        assertThat(b.status()).isEqualTo(BindingStatus.ACTIVE);
        assertThat(b.hardwareAddress()).isEqualTo(hex("01aabbccddee01"));
        assertThat(b.leaseExpiration()).isEqualTo(0x6b026feeL);
        assertThat(b.cltt()).isZero();
        assertThat(FailoverCodec.encode(
                        FailoverMessages.bindingUpdate(isc.time(), b).withXid(isc.xid())))
                .isEqualTo(hex(ISC_BNDUPD_ACTIVE));

        FailoverMessage backup = FailoverCodec.decode(hex(ISC_BNDUPD_BACKUP));
        Binding free = FailoverMessages.binding(backup).orElseThrow();
        assertThat(free.status()).isEqualTo(BindingStatus.BACKUP);
        assertThat(FailoverCodec.encode(
                        FailoverMessages.bindingUpdate(backup.time(), free).withXid(backup.xid())))
                .isEqualTo(hex(ISC_BNDUPD_BACKUP));
    }

    @Test
    void rejectingAckCarriesReasonAndMessage() {
        FailoverMessage isc = FailoverCodec.decode(hex(ISC_BNDACK_REJECT));
        assertThat(FailoverMessages.rejectReason(isc)).contains(RejectReason.MISSING_BINDING_INFORMATION);
        assertThat(isc.text(FailoverOption.MESSAGE)).contains("BNDUPD without CHADDR");
        Binding b = new Binding(Ipv4.parse("10.99.0.106"), BindingStatus.ACTIVE, null, null, 0, 0, 0, 0, 0);
        assertThat(FailoverCodec.encode(FailoverMessages.bindingAck(
                        isc.time(), isc.xid(), b, RejectReason.MISSING_BINDING_INFORMATION, "BNDUPD without CHADDR")))
                .isEqualTo(hex(ISC_BNDACK_REJECT));
    }

    @Test
    void ipFlagsAreTwoOctets() {
        Binding b =
                new Binding(Ipv4.parse("10.0.0.1"), BindingStatus.ACTIVE, null, hex("01aabbccddeeff"), 1, 2, 3, 4, 1);
        FailoverMessage m = FailoverMessages.bindingUpdate(5, b);
        assertThat(m.bytes(FailoverOption.IP_FLAGS))
                .hasValueSatisfying(v -> assertThat(v).hasSize(2));
        assertThat(FailoverMessages.binding(FailoverCodec.decode(FailoverCodec.encode(m))))
                .contains(b);
    }

    @Test
    void acceptsALargerPayloadOffsetAndRefusesASmallerOne() {
        byte[] wire = hex("0010 0b 10 00000001 00000002 deadbeef");
        assertThat(FailoverCodec.decode(wire).options()).isEmpty();
        byte[] eight = hex("0010 0b 08 00000001 00000002 00000000");
        assertThatThrownBy(() -> FailoverCodec.decode(eight))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(e.reason())
                        .isEqualTo(MalformedMessageException.Reason.BAD_PAYLOAD_OFFSET));
    }

    @Test
    void refusesTruncatedOptionsWrongFixedLengthsAndLengthMismatch() {
        assertThatThrownBy(() -> FailoverCodec.decode(hex("0012 03 0c 00000001 00000002 0002 0004 0a00")))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(e.reason())
                        .isEqualTo(MalformedMessageException.Reason.TRUNCATED_OPTION));
        assertThatThrownBy(() -> FailoverCodec.decode(hex("0011 03 0c 00000001 00000002 000c 0001 01")))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(e.reason())
                        .isEqualTo(MalformedMessageException.Reason.BAD_OPTION_LENGTH));
        assertThatThrownBy(() -> FailoverCodec.decode(hex("0020 0b 0c 00000001 00000002")))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(e.reason())
                        .isEqualTo(MalformedMessageException.Reason.BAD_LENGTH));
    }

    @Test
    void unknownOptionsAndTypesSurviveARoundTrip() {
        byte[] wire = hex("0016 0d 0c 00000001 00000002 004d 0006 010203040506");
        FailoverMessage m = FailoverCodec.decode(wire);
        assertThat(m.messageType()).isEmpty();
        assertThat(FailoverCodec.encode(m)).isEqualTo(wire);
    }
}
