package dev.tandem.coordinator;

import dev.tandem.protocol.failover.FailoverCodec;
import dev.tandem.protocol.failover.FailoverMessage;
import java.io.DataInputStream;
import java.io.IOException;

/** Reading the failover wire in tests that play the partner: one message, its two length bytes first (§6.1). */
public final class FailoverFrames {

    private FailoverFrames() {}

    /** The next message's bytes, its length included. */
    public static byte[] readRaw(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        byte[] wire = new byte[length];
        wire[0] = (byte) (length >>> 8);
        wire[1] = (byte) length;
        in.readFully(wire, 2, length - 2);
        return wire;
    }

    /** The next message, decoded (no digest expected). */
    public static FailoverMessage read(DataInputStream in) throws IOException {
        return FailoverCodec.decode(readRaw(in));
    }
}
