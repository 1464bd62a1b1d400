package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataAreaTest {

    @TempDir
    Path tmp;

    @Test
    void aCreatedImageHasItsSizeAndReadsAsZeros() throws IOException {
        Path image = tmp.resolve("a.img");
        DataArea.createImage(image, 1L << 30);
        assertEquals(1L << 30, DataArea.check(image, 1L << 30));
        try (FileBlockStore store = FileBlockStore.open(image, 1L << 30)) {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            assertEquals(4096, store.read((1L << 30) - 4096, buf));
            assertEquals(0, buf.flip().getLong());
        }
    }

    @Test
    void anExistingImageIsNotCreatedAgain() throws IOException {
        Path image = Files.writeString(tmp.resolve("b.img"), "data");
        IOException e = assertThrows(IOException.class, () -> DataArea.createImage(image, 4096));
        assertEquals("data area " + image + " already exists: not creating it again", e.getMessage());
    }

    @Test
    void missingAndTooSmallAreasAreNamed() throws IOException {
        Path missing = tmp.resolve("none.img");
        assertEquals("data area " + missing + " does not exist",
                assertThrows(IOException.class, () -> DataArea.check(missing, 1)).getMessage());
        Path small = tmp.resolve("small.img");
        DataArea.createImage(small, 100L << 20);
        assertEquals("data area " + small + " is 100 MiB, the resource needs 1 GiB",
                assertThrows(IOException.class, () -> DataArea.check(small, 1L << 30)).getMessage());
        assertEquals("data area " + tmp + " is neither a regular file nor a block device",
                assertThrows(IOException.class, () -> DataArea.check(tmp, 1)).getMessage());
    }

    @Test
    void humanSizesAreExact() {
        assertEquals("1 GiB", DataArea.humanSize(1L << 30));
        assertEquals("1536 MiB", DataArea.humanSize(3L << 29));
        assertEquals("513 bytes", DataArea.humanSize(513));
    }
}
