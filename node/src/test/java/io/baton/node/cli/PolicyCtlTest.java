package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.baton.proto.admin.ClearRequest;
import io.baton.proto.admin.MaintenanceRequest;
import io.baton.proto.admin.NodeStandbyRequest;
import io.baton.proto.admin.OpReply;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code batonctl maintenance}, {@code node standby|online} and {@code clear}, against a fake admin server. */
class PolicyCtlTest {
    private FakeAdmin admin;

    @BeforeEach
    void startServer() throws Exception {
        admin = new FakeAdmin().start();
        admin.status = Clusters.sample();
    }

    @AfterEach
    void stopServer() throws Exception {
        admin.close();
    }

    private BatonCtlTest.Result run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--endpoint";
        all[1] = admin.endpoint();
        System.arraycopy(args, 0, all, 2, args.length);
        return BatonCtlTest.run(all);
    }

    @Test
    void maintenanceOnOneGroupAndOffForAll() {
        BatonCtlTest.Result on = run("maintenance", "on", "web");
        assertEquals(0, on.code(), on.err());
        assertEquals("maintenance on for web\n", on.out());
        BatonCtlTest.Result off = run("maintenance", "OFF");
        assertEquals(0, off.code(), off.err());
        assertEquals("maintenance off for web, db\n", off.out());
        assertEquals(List.of(MaintenanceRequest.newBuilder().setGroup("web").setOn(true).build(),
                MaintenanceRequest.newBuilder().setGroup("").setOn(false).build()), admin.requests);
    }

    @Test
    void nodeStandbyAndOnline() {
        BatonCtlTest.Result standby = run("node", "standby", "server2");
        assertEquals(0, standby.code(), standby.err());
        assertEquals("server2 is in standby; moving web to server1\n", standby.out());
        BatonCtlTest.Result online = run("node", "online", "server2");
        assertEquals(0, online.code(), online.err());
        assertEquals("server2 is online: eligible for groups again\n", online.out());
        assertEquals(List.of(NodeStandbyRequest.newBuilder().setNode("server2").setStandby(true).build(),
                NodeStandbyRequest.newBuilder().setNode("server2").setStandby(false).build()), admin.requests);
    }

    @Test
    void clearAGroupOrOneNodeOfIt() {
        assertEquals("cleared the failures of web; it will start on the first eligible node\n", run("clear", "web").out());
        BatonCtlTest.Result one = run("clear", "web", "--node", "server1");
        assertEquals(0, one.code(), one.err());
        assertEquals("cleared the failures of web on server1; it will start on the first eligible node\n", one.out());
        assertEquals(List.of(ClearRequest.newBuilder().setGroup("web").build(),
                ClearRequest.newBuilder().setGroup("web").setNode("server1").build()), admin.requests);
    }

    @Test
    void aRefusedStandbyIsOneLineAndExitOne() {
        admin.onNodeStandby = r -> {
            throw Status.FAILED_PRECONDITION.withDescription("node 'server1' cannot go into standby: group 'web' has no"
                    + " other member to move to (server2 is down); move or stop it first").asRuntimeException();
        };
        BatonCtlTest.Result r = run("node", "standby", "server1");
        assertEquals(1, r.code(), r.toString());
        assertEquals(List.of("batonctl: node 'server1' cannot go into standby: group 'web' has no other member to move"
                + " to (server2 is down); move or stop it first"), r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void aRefusedClearIsOneLineAndExitOne() {
        admin.onClear = r -> {
            throw Status.NOT_FOUND.withDescription("unknown group 'nope'; groups: web, db").asRuntimeException();
        };
        BatonCtlTest.Result r = run("clear", "nope");
        assertEquals(1, r.code());
        assertEquals(List.of("batonctl: unknown group 'nope'; groups: web, db"), r.errLines());
    }

    @Test
    void repliesAsJson() throws Exception {
        BatonCtlTest.Result r = run("-o", "json", "clear", "web");
        assertEquals(0, r.code(), r.err());
        OpReply.Builder parsed = OpReply.newBuilder();
        JsonFormat.parser().merge(r.out(), parsed);
        assertEquals(4, parsed.getEpoch());
    }

    @Test
    void usageErrorsExitTwoAndSendNothing() {
        for (String[] args : List.of(new String[] {"maintenance"}, new String[] {"maintenance", "maybe", "web"},
                new String[] {"maintenance", "on", "web", "db"}, new String[] {"node"}, new String[] {"node", "standby"},
                new String[] {"node", "offline", "server1"}, new String[] {"clear"}, new String[] {"clear", "web", "--node"})) {
            BatonCtlTest.Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r);
            assertTrue(r.err().startsWith("batonctl: "), r.err());
        }
        assertEquals(List.of(), admin.requests);
    }
}
