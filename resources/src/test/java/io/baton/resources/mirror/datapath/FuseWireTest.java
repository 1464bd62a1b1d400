package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The kernel protocol's byte layouts, checked without a kernel. */
class FuseWireTest {

    private final ByteBuffer out = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());

    @Test
    void initGrantsOnlyRequestedFlagsTheKernelOffersAndAsksForMegabyteRequests() {
        int offered = FuseWire.FLAG_BIG_WRITES | FuseWire.FLAG_ASYNC_DIO | (1 << 16) /* writeback cache: never taken */;
        int length = FuseWire.initOut(out, 7, new FuseWire.InitIn(7, 40, 131072, offered));
        assertEquals(FuseWire.OUT_HEADER_BYTES + FuseWire.INIT_OUT_BYTES, length);
        assertEquals(length, out.getInt(0));
        assertEquals(0, out.getInt(4));
        assertEquals(7, out.getLong(8));
        int at = FuseWire.OUT_HEADER_BYTES;
        assertEquals(7, out.getInt(at));
        assertEquals(FuseWire.KERNEL_MINOR, out.getInt(at + 4), "an older protocol than the kernel's is answered with ours");
        assertEquals(FuseWire.FLAG_BIG_WRITES | FuseWire.FLAG_ASYNC_DIO, out.getInt(at + 12),
                "max_pages was not offered, writeback cache never asked");
        assertEquals(1 << 20, out.getInt(at + 20));
        assertEquals(256, out.getShort(at + 28));
        // An older kernel: its minor is answered.
        FuseWire.initOut(out, 8, new FuseWire.InitIn(7, 27, 131072, 0));
        assertEquals(27, out.getInt(at + 4));
    }

    @Test
    void readdirResumesAtTheOffsetTheKernelPassesBackAndStopsWhereTheBufferIsFull() {
        FuseWire.DirEntry[] entries = {
                new FuseWire.DirEntry(1, ".", FuseWire.DirEntry.DT_DIR),
                new FuseWire.DirEntry(1, "..", FuseWire.DirEntry.DT_DIR),
                new FuseWire.DirEntry(2, "disk", FuseWire.DirEntry.DT_REG)};
        int all = FuseWire.readdirOut(out, 1, entries, 0, 4096);
        assertEquals(FuseWire.OUT_HEADER_BYTES + 3 * 32, all, "each entry is 24 bytes plus its name, padded to 8");
        int from2 = FuseWire.readdirOut(out, 1, entries, 2, 4096);
        assertEquals(FuseWire.OUT_HEADER_BYTES + 32, from2);
        int at = FuseWire.OUT_HEADER_BYTES;
        assertEquals(2, out.getLong(at));
        assertEquals(3, out.getLong(at + 8), "off is the index of the next entry");
        assertEquals(4, out.getInt(at + 16));
        assertEquals(FuseWire.DirEntry.DT_REG, out.getInt(at + 20));
        byte[] name = new byte[4];
        out.get(at + 24, name);
        assertEquals("disk", new String(name, StandardCharsets.UTF_8));
        assertEquals(FuseWire.OUT_HEADER_BYTES + 32, FuseWire.readdirOut(out, 1, entries, 0, 40), "only what fits");
        assertEquals(FuseWire.OUT_HEADER_BYTES, FuseWire.readdirOut(out, 1, entries, 3, 4096), "past the end: empty");
    }

    @Test
    void entryAndAttrRepliesPlaceTheFileSizeAndModeWhereTheKernelReadsThem() {
        FuseWire.Attr file = new FuseWire.Attr(2, 1 << 30, 0100600, 1, 0, 0);
        assertEquals(FuseWire.OUT_HEADER_BYTES + 128, FuseWire.entryOut(out, 3, file, 60));
        int attr = FuseWire.OUT_HEADER_BYTES + 40;
        assertEquals(2, out.getLong(FuseWire.OUT_HEADER_BYTES));
        assertEquals(1L << 30, out.getLong(attr + 8));
        assertEquals((1L << 30) / 512, out.getLong(attr + 16));
        assertEquals(0100600, out.getInt(attr + 60));
        assertEquals(4096, out.getInt(attr + 80));
        assertEquals(FuseWire.OUT_HEADER_BYTES + 104, FuseWire.attrOut(out, 4, file, 60));
        assertEquals(1L << 30, out.getLong(FuseWire.OUT_HEADER_BYTES + 16 + 8));
    }

    @Test
    void requestFieldsAreReadFromTheKernelLayout() {
        ByteBuffer in = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        in.putInt(0, 120).putInt(4, FuseWire.WRITE).putLong(8, 99).putLong(16, FuseWire.FILE_ID);
        in.putLong(FuseWire.IN_HEADER_BYTES + 8, 8192).putInt(FuseWire.IN_HEADER_BYTES + 16, 4096);
        FuseWire.InHeader h = FuseWire.InHeader.read(in);
        assertEquals(new FuseWire.InHeader(120, FuseWire.WRITE, 99, FuseWire.FILE_ID), h);
        assertEquals(new FuseWire.WriteIn(8192, 4096), FuseWire.WriteIn.read(in));
        in.put(FuseWire.IN_HEADER_BYTES, "disk\0".getBytes(StandardCharsets.UTF_8));
        assertEquals("disk", FuseWire.name(in, FuseWire.IN_HEADER_BYTES + 5));
    }
}
