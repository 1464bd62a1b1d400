package io.baton.node.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTuningTest {

    @TempDir
    Path dir;

    @Test
    void theKernelDefaultGetsAdviceNamingTheSettingTheValueAndTheFix() throws Exception {
        Path setting = Files.writeString(dir.resolve("tcp_rto_max_ms"), "120000\n");
        String advice = HostTuning.tcpRtoAdvice(setting).orElseThrow();
        assertTrue(advice.startsWith("net.ipv4.tcp_rto_max_ms is 120000"), advice);
        assertTrue(advice.contains("up to 120 s"), advice);
        assertTrue(advice.contains("sysctl -w net.ipv4.tcp_rto_max_ms=1000"), advice);
    }

    @Test
    void aCappedBackoffOrAKernelWithoutTheSettingGetsNone() throws Exception {
        assertEquals(Optional.empty(), HostTuning.tcpRtoAdvice(Files.writeString(dir.resolve("a"), "1000\n")));
        assertEquals(Optional.empty(), HostTuning.tcpRtoAdvice(dir.resolve("missing")));
        assertEquals(Optional.empty(), HostTuning.tcpRtoAdvice(Files.writeString(dir.resolve("b"), "junk")));
    }
}
