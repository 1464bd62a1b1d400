package io.baton.coordinator.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class StorageFailureTest {
    @Test
    void aFileSystemExceptionNamesItsFileAndTheErrno() {
        StorageFailure f = StorageFailure.of(new FileSystemException("/d/raft/x/current/log_inprogress_7", null,
                "No space left on device"), "/d/raft");
        assertEquals("/d/raft/x/current/log_inprogress_7", f.path());
        assertEquals("No space left on device (ENOSPC)", f.reason());
        assertEquals("data directory /d/raft/x/current/log_inprogress_7: No space left on device (ENOSPC)", f.line());
    }

    @Test
    void aPlainIOExceptionDeepInTheCausesGivesTheReasonAndTheFallbackPath() {
        Throwable t = new IllegalStateException("log worker failed",
                new UncheckedIOException(new IOException("Read-only file system")));
        StorageFailure f = StorageFailure.of(t, "/d/raft");
        assertEquals("/d/raft", f.path());
        assertEquals("Read-only file system (EROFS)", f.reason());
    }

    @Test
    void eioAndAnUnknownReason() {
        assertEquals("Input/output error (EIO)", StorageFailure.of(new IOException("Input/output error"), "/d").reason());
        assertEquals("something odd", StorageFailure.of(new IOException("something odd"), "/d").reason());
        assertEquals("Permission denied (EACCES)",
                StorageFailure.of(new AccessDeniedException("/d/f", null, "Permission denied"), "/d").reason());
    }
}
