package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlockStoreTest {

    @TempDir
    Path tmp;

    @Test
    void writesReadBackAndReadsStopAtTheEnd() throws IOException {
        Path image = tmp.resolve("s.img");
        DataArea.createImage(image, 8192);
        try (FileBlockStore store = FileBlockStore.open(image, 8192)) {
            assertEquals(8192, store.sizeBytes());
            store.write(8190, ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)));
            store.flush();
            ByteBuffer buf = ByteBuffer.allocate(100);
            assertEquals(2, store.read(8190, buf));
            assertEquals("ab", StandardCharsets.US_ASCII.decode(buf.flip()).toString());
            assertEquals(0, store.read(8192, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void writesBeyondTheEndAreRefused() throws IOException {
        Path image = tmp.resolve("t.img");
        DataArea.createImage(image, 4096);
        try (FileBlockStore store = FileBlockStore.open(image, 4096)) {
            assertThrows(IOException.class, () -> store.write(4095, ByteBuffer.allocate(2)));
            assertThrows(IOException.class, () -> store.write(-1, ByteBuffer.allocate(1)));
        }
    }
}
