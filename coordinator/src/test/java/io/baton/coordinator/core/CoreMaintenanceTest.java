package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.maintenance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An operator's maintenance: the controller leaves the group alone; operators' commands still work. */
class CoreMaintenanceTest {
    private final CoreFixture f = new CoreFixture();

    @Test
    void maintenanceOfOneGroupIsRecordedWithAnEvent() {
        f.webOnlineOnServer1();
        assertEquals("maintenance on for web", f.ok(maintenance("web", true)).getMessage());
        assertTrue(f.group("web").maintenance());
        assertFalse(f.group("db").maintenance());
        Event e = f.lastEvent();
        assertEquals("maintenance", e.getKind());
        assertEquals("web", e.getGroup());
        assertEquals(1, e.getEpoch());
        assertEquals("maintenance on", e.getMessage());

        assertEquals("maintenance off for web", f.ok(maintenance("web", false)).getMessage());
        assertFalse(f.group("web").maintenance());
        assertEquals("maintenance off", f.lastEvent().getMessage());
    }

    @Test
    void anEmptyGroupNameMeansEveryGroup() {
        f.ok(maintenance("db", true));
        int before = f.state.events().size();
        assertEquals("maintenance on for web, batch", f.ok(maintenance("", true)).getMessage());
        assertEquals(List.of("maintenance", "maintenance"), f.kindsSince(before), "one event per group that changed");
        f.state.groups().forEach(g -> assertTrue(g.maintenance(), g.name()));
        assertEquals("maintenance off for web, db, batch", f.ok(maintenance("", false)).getMessage());
    }

    @Test
    void maintenanceAlreadyInPlaceChangesNothing() {
        f.ok(maintenance("web", true));
        int before = f.state.events().size();
        assertEquals("web is already in maintenance", f.ok(maintenance("web", true)).getMessage());
        assertEquals("db is already out of maintenance", f.ok(maintenance("db", false)).getMessage());
        f.ok(maintenance("", true));
        assertEquals("every group is already in maintenance", f.ok(maintenance("", true)).getMessage());
        assertEquals(before + 2, f.state.events().size(), "only db and batch changed");
    }

    @Test
    void maintenanceOfAnUnknownGroupIsRefused() {
        f.refused(maintenance("nope", true), ResultCode.RESULT_NOT_FOUND, "unknown group 'nope'", "web");
    }

    @Test
    void theControllersGrantsAndRevokesOfAGroupInMaintenanceAreStale() {
        f.allAlive();
        f.ok(maintenance("web", true));
        f.refused(f.decidedGrant("web", "server1"), ResultCode.RESULT_STALE, "web", "maintenance");
        f.ok(maintenance("web", false));
        f.webOnlineOnServer1();
        f.ok(maintenance("web", true));
        f.refused(f.decidedGrant("web", "server2"), ResultCode.RESULT_STALE, "maintenance");
        f.refused(f.decidedRevoke("web"), ResultCode.RESULT_STALE, "maintenance");
    }

    @Test
    void operatorsStillMoveStartAndStopAGroupInMaintenance() {
        f.webOnlineOnServer1();
        f.ok(maintenance("", true));
        f.ok(CoreFixture.move("web", "server2"));
        assertEquals(Phase.RELEASING, f.group("web").phase);
        f.ok(CoreFixture.stop("db"));
        f.ok(CoreFixture.start("batch", "server1"));
        assertEquals("server1", f.group("batch").owner());
        assertTrue(f.group("web").maintenance(), "and maintenance stays");
    }

    @Test
    void theOwnerStillReportsThroughMaintenance() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.ok(maintenance("web", true));
        f.beat("server1", CoreFixture.report("web", 1, io.baton.proto.ActivityProto.ACTIVITY_ACTIVE));
        assertEquals(Phase.ONLINE, f.group("web").phase);
    }
}
