package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An optimisation only: it never fails a caller and never changes data. */
class WriteBehindTest {

    @TempDir
    Path dir;

    @Test
    void aDataAreaThatCannotBeOpenedGivesNoWriteBehindRatherThanAnError() {
        assertSame(WriteBehind.NONE, WriteBehind.open(dir.resolve("missing.img")));
        WriteBehind.NONE.written(0, 1 << 20);
        WriteBehind.NONE.close();
    }

    @Test
    void startingWritebackLeavesTheDataAsWrittenAndIsANoOpAfterClose() throws Exception {
        Path image = dir.resolve("md.img");
        DataArea.createImage(image, 4 << 20);
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            WriteBehind wb = WriteBehind.open(image);
            ch.write(ByteBuffer.wrap(data), 1 << 20);
            wb.written(1 << 20, data.length);
            wb.written(0, 4096); // below the threshold: nothing to do
            wb.close();
            wb.written(1 << 20, data.length); // closed: ignored
        }
        byte[] back = new byte[data.length];
        System.arraycopy(Files.readAllBytes(image), 1 << 20, back, 0, back.length);
        assertArrayEquals(data, back);
    }
}
