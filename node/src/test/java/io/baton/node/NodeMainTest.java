package io.baton.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeMainTest {

    @Test
    void aSmallMachineGetsACommonPoolOfTwoSoAsyncRepliesDoNotStartAThreadEach() {
        assertEquals(Optional.of("2"), NodeMain.commonPoolParallelism(1, null));
        assertEquals(Optional.of("2"), NodeMain.commonPoolParallelism(2, null));
    }

    @Test
    void aLargerMachineKeepsTheJdksDefault() {
        assertEquals(Optional.empty(), NodeMain.commonPoolParallelism(3, null));
        assertEquals(Optional.empty(), NodeMain.commonPoolParallelism(16, null));
    }

    @Test
    void aSizeSetOnTheCommandLineStands() {
        assertEquals(Optional.empty(), NodeMain.commonPoolParallelism(2, "1"));
    }
}
