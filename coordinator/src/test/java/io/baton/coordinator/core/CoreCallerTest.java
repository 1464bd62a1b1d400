package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.Caller;
import org.junit.jupiter.api.Test;

/** The audit trail: an operator command's events name who proposed it; the cluster's own name nobody. */
class CoreCallerTest {
    private final CoreFixture f = PolicyFixture.allAlive();

    @Test
    void anOperatorsStopNamesTheCaller() {
        PolicyFixture.online(f, "app", "a");
        f.ok(CoreFixture.stop("app").toBuilder()
                .setCaller(Caller.newBuilder().setName("alice").setRole("operator")).build());
        assertEquals("stop", f.lastEvent().getKind());
        assertEquals("alice (operator)", f.lastEvent().getCaller());
    }

    @Test
    void aCommandWithoutCallerNamesNobody() {
        PolicyFixture.online(f, "app", "a");
        f.ok(CoreFixture.stop("app"));
        assertEquals("", f.lastEvent().getCaller());
    }
}
