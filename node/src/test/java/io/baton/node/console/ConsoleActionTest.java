package io.baton.node.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.proto.admin.MaintenanceRequest;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.StartRequest;
import io.baton.proto.admin.StopRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleActionTest {
    @Test
    void eachButtonIsTheCallBatonctlMakes() {
        assertEquals(new ConsoleAction("Move", MoveRequest.newBuilder().setGroup("web").setTo("server2").build()),
                ConsoleAction.parse(Map.of("action", "move", "group", "web", "to", "server2")));
        assertEquals(new ConsoleAction("Start", StartRequest.newBuilder().setGroup("web").build()),
                ConsoleAction.parse(Map.of("action", "start", "group", "web")));
        assertEquals(new ConsoleAction("Start", StartRequest.newBuilder().setGroup("web").setOn("server1").build()),
                ConsoleAction.parse(Map.of("action", "start", "group", "web", "on", "server1")));
        assertEquals(new ConsoleAction("Stop", StopRequest.newBuilder().setGroup("web").build()),
                ConsoleAction.parse(Map.of("action", "stop", "group", "web")));
        assertEquals(new ConsoleAction("Maintenance", MaintenanceRequest.newBuilder().setGroup("web").setOn(true).build()),
                ConsoleAction.parse(Map.of("action", "maintenance-on", "group", "web")));
        assertEquals(new ConsoleAction("Maintenance", MaintenanceRequest.newBuilder().setGroup("web").setOn(false).build()),
                ConsoleAction.parse(Map.of("action", "maintenance-off", "group", "web")));
    }

    @Test
    void aFormThatIsNotAButtonsSaysWhatIsWrong() {
        assertEquals("no group given", assertThrows(IllegalArgumentException.class,
                () -> ConsoleAction.parse(Map.of("action", "stop"))).getMessage());
        assertEquals("move needs a target node (to)", assertThrows(IllegalArgumentException.class,
                () -> ConsoleAction.parse(Map.of("action", "move", "group", "web"))).getMessage());
        assertEquals("unknown action 'force-activate': one of move, start, stop, maintenance-on, maintenance-off",
                assertThrows(IllegalArgumentException.class,
                        () -> ConsoleAction.parse(Map.of("action", "force-activate", "group", "web"))).getMessage());
    }
}
