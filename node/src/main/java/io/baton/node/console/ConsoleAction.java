package io.baton.node.console;

import com.google.protobuf.Message;
import io.baton.proto.admin.MaintenanceRequest;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.StartRequest;
import io.baton.proto.admin.StopRequest;
import java.util.Map;

/**
 * A button's request, {@code action=move&group=web&to=server2}, as the admin call batonctl would
 * make: the call's name (for the role check) and its request. Pure; names are checked by the admin
 * service as for batonctl.
 */
record ConsoleAction(String method, Message request) {

    /** The call the form asks for; IllegalArgumentException naming what is wrong otherwise. */
    static ConsoleAction parse(Map<String, String> form) {
        String action = form.getOrDefault("action", "");
        String group = form.getOrDefault("group", "");
        if (group.isEmpty()) {
            throw new IllegalArgumentException("no group given");
        }
        return switch (action) {
            case "move" -> {
                String to = form.getOrDefault("to", "");
                if (to.isEmpty()) {
                    throw new IllegalArgumentException("move needs a target node (to)");
                }
                yield new ConsoleAction("Move", MoveRequest.newBuilder().setGroup(group).setTo(to).build());
            }
            case "start" -> new ConsoleAction("Start",
                    StartRequest.newBuilder().setGroup(group).setOn(form.getOrDefault("on", "")).build());
            case "stop" -> new ConsoleAction("Stop", StopRequest.newBuilder().setGroup(group).build());
            case "maintenance-on", "maintenance-off" -> new ConsoleAction("Maintenance",
                    MaintenanceRequest.newBuilder().setGroup(group).setOn(action.equals("maintenance-on")).build());
            default -> throw new IllegalArgumentException("unknown action '" + action
                    + "': one of move, start, stop, maintenance-on, maintenance-off");
        };
    }
}
