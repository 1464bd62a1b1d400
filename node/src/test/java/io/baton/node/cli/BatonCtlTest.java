package io.baton.node.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.baton.proto.Event;
import io.baton.proto.PhaseProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.StartRequest;
import io.baton.proto.admin.WatchRequest;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatonCtlTest {
    private FakeAdmin admin;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static final class Capture {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        Result run(String... args) {
            int code = BatonCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Result(code, out(), err.toString(StandardCharsets.UTF_8));
        }
    }

    static Result run(String... args) {
        return new Capture().run(args);
    }

    @BeforeEach
    void startServer() throws Exception {
        admin = new FakeAdmin().start();
        admin.status = Clusters.sample();
    }

    @AfterEach
    void stopServer() throws Exception {
        admin.close();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static void assertOneLineError(Result r, String expected) {
        assertEquals(1, r.code(), r.toString());
        assertEquals(List.of("batonctl: " + expected), r.errLines());
    }

    // ---- status ----

    @Test
    void statusPrintsTable() {
        Result r = run("--endpoint", admin.endpoint(), "status");
        assertEquals(0, r.code(), r.err());
        assertEquals(StatusTable.render(Clusters.sample()), r.out());
        assertTrue(r.out().contains("Answered by: server2"), r.out());
        assertTrue(r.out().contains("web    server1  7      online"), r.out());
        assertTrue(r.out().contains("db     -        3      stopped"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void statusJsonParsesBackToTheSameMessage() throws Exception {
        Result r = run("--endpoint", admin.endpoint(), "--output", "json", "status");
        assertEquals(0, r.code(), r.err());
        ClusterStatus.Builder parsed = ClusterStatus.newBuilder();
        JsonFormat.parser().merge(r.out(), parsed);
        assertEquals(Clusters.sample(), parsed.build());
        assertTrue(r.out().contains("\"answered_by\""), r.out());
    }

    @Test
    void globalOptionsAreAcceptedAfterTheSubcommand() throws Exception {
        Result r = run("status", "--endpoint", admin.endpoint(), "-o", "JSON", "--timeout", "5s");
        assertEquals(0, r.code(), r.err());
        ClusterStatus.Builder parsed = ClusterStatus.newBuilder();
        JsonFormat.parser().merge(r.out(), parsed);
        assertEquals(Clusters.sample(), parsed.build());
    }

    @Test
    void statusOfNamedGroupsShowsOnlyTheirSections() {
        Result r = run("--endpoint", admin.endpoint(), "status", "db");
        assertEquals(0, r.code(), r.err());
        assertEquals(StatusTable.render(Clusters.sample(), new GroupFilter(List.of("db"), List.of()), false, java.time.Instant.now()),
                r.out());
        assertTrue(r.out().contains("\nserver1  data "), "the nodes are shown:\n" + r.out());
        assertTrue(r.out().endsWith("\ndb     -      3      stopped\n"), r.out());
        assertFalse(r.out().contains("web    server1"), r.out());
        Result both = run("--endpoint", admin.endpoint(), "status", "db", "web");
        assertEquals(StatusTable.render(Clusters.sample()), both.out());
    }

    @Test
    void statusOfAnUnknownGroupIsOneLineWithTheGroupItLikelyMeant() {
        Result r = run("--endpoint", admin.endpoint(), "status", "wbe");
        assertOneLineError(r, "unknown group 'wbe' (did you mean 'web'?)");
        assertEquals("", r.out());
        assertOneLineError(run("--endpoint", admin.endpoint(), "-o", "json", "status", "web", "cache"),
                "unknown group 'cache'; groups: web, db");
    }

    @Test
    void statusGroupPatternFiltersTheTableAndTheJson() throws Exception {
        Result table = run("--endpoint", admin.endpoint(), "status", "--group", "w*");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("\nweb    server1  7      online\n"), table.out());
        assertFalse(table.out().contains("stopped\n"), table.out());
        Result none = run("--endpoint", admin.endpoint(), "status", "--group", "cache*");
        assertEquals(0, none.code(), none.err());
        assertTrue(none.out().endsWith("witness:7401\n\n(no group matches 'cache*')\n"), none.out());

        Result json = run("--endpoint", admin.endpoint(), "-o", "json", "status", "--group", "w*", "--group", "nothing*");
        assertEquals(0, json.code(), json.err());
        ClusterStatus.Builder parsed = ClusterStatus.newBuilder();
        JsonFormat.parser().merge(json.out(), parsed);
        assertEquals(Clusters.sample().toBuilder().removeGroups(1).build(), parsed.build());
    }

    @Test
    void statusOfTwoHundredGroupsIsOneLineEachUnlessFullOrNamed() {
        admin.status = Clusters.many(200);
        Result compact = run("--endpoint", admin.endpoint(), "status");
        assertEquals(0, compact.code(), compact.err());
        assertTrue(compact.out().contains("\nGroups:      200 (200 online)\n"), compact.out());
        assertEquals(201, compact.out().lines().filter(l -> l.startsWith("GROUP ") || l.startsWith("app-")).count());
        assertTrue(compact.out().endsWith("'batonctl status --full' every group's.\n"), compact.out());
        Result full = run("--endpoint", admin.endpoint(), "status", "--full");
        assertEquals(StatusTable.render(Clusters.many(200), GroupFilter.ALL, true, java.time.Instant.now()), full.out());
        Result one = run("--endpoint", admin.endpoint(), "status", "app-150");
        assertTrue(one.out().endsWith("\nGROUP    OWNER    EPOCH  PHASE\napp-150  server2  150    online\n"
                + "    server2  active    app=active\n    server1  inactive\n"), one.out());
    }

    // ---- move / start / stop ----

    @Test
    void movePrintsReply() {
        Result r = run("--endpoint", admin.endpoint(), "move", "web", "--to", "server2");
        assertEquals(0, r.code(), r.err());
        assertEquals("moving web to server2\n", r.out());
        assertEquals(List.of(MoveRequest.newBuilder().setGroup("web").setTo("server2").build()), admin.requests);
    }

    @Test
    void moveJsonPrintsReplyAsJson() throws Exception {
        Result r = run("--endpoint", admin.endpoint(), "-o", "json", "move", "web", "--to", "server2");
        assertEquals(0, r.code(), r.err());
        io.baton.proto.admin.OpReply.Builder parsed = io.baton.proto.admin.OpReply.newBuilder();
        JsonFormat.parser().merge(r.out(), parsed);
        assertEquals(FakeAdmin.reply("moving web to server2", 7), parsed.build());
    }

    @Test
    void notFoundIsOneLineOnStderr() {
        admin.onMove = req -> {
            throw Status.NOT_FOUND.withDescription("unknown group '" + req.getGroup() + "'").asRuntimeException();
        };
        Result r = run("--endpoint", admin.endpoint(), "move", "db", "--to", "server2");
        assertOneLineError(r, "unknown group 'db'");
        assertEquals("", r.out());
    }

    @Test
    void invalidArgumentIsOneLineOnStderr() {
        admin.onMove = req -> {
            throw Status.INVALID_ARGUMENT.withDescription("unknown node 'server9'").asRuntimeException();
        };
        assertOneLineError(run("--endpoint", admin.endpoint(), "move", "web", "--to", "server9"),
                "unknown node 'server9'");
    }

    @Test
    void failedPreconditionIsOneLineOnStderr() {
        admin.onStop = req -> {
            throw Status.FAILED_PRECONDITION.withDescription("web is already stopped\nsecond line")
                    .asRuntimeException();
        };
        assertOneLineError(run("--endpoint", admin.endpoint(), "stop", "web"), "web is already stopped");
    }

    @Test
    void statusWithoutDescriptionUsesTheCodeInWords() {
        admin.failAll = Status.PERMISSION_DENIED.asRuntimeException();
        assertOneLineError(run("--endpoint", admin.endpoint(), "status"), "permission denied");
    }

    // ---- names: at most 256 bytes of printable characters (issue 9) ----

    @Test
    void aNameTooLongOrWithControlCharactersIsAUsageErrorAndNothingIsSent() {
        String longName = "g".repeat(120 * 1024);
        for (String[] args : List.of(new String[] {"move", longName, "--to", "server2"},
                new String[] {"move", "web", "--to", "server2\u202e"}, new String[] {"start", "web", "--on", "ser\nver1"},
                new String[] {"stop", "web\u0000"}, new String[] {"clear", "web", "--node", longName},
                new String[] {"maintenance", "on", longName}, new String[] {"node", "standby", "\u2066server2"},
                new String[] {"force-activate", longName, "--on", "server2", "--accept-data-loss"})) {
            Result r = run(append(args, "--endpoint", admin.endpoint()));
            String what = args[0] + " " + args[1].length();
            assertEquals(2, r.code(), what + " -> " + r.err().substring(0, Math.min(300, r.err().length())));
            String first = r.errLines().get(0);
            assertTrue(first.startsWith("batonctl: Invalid value for "), what + ": " + first);
            assertTrue(first.contains("at most 256 bytes of printable characters"), what + ": " + first);
            assertTrue(r.err().length() < 4000, what + ": the name is not echoed: " + r.err().length() + " chars");
            assertFalse(r.err().chars().anyMatch(c -> c == 0 || c == 0x202e || c == 0x2066), what + ": raw control echoed");
            assertFalse(r.err().contains("\tat "), r.err());
        }
        assertEquals(List.of(), admin.requests);
    }

    @Test
    void aServerRefusalThatEchoesAHugeNameIsStillOneLine() {
        // A node from before the limits, refusing a long name with the name in its answer.
        String longName = "g".repeat(120 * 1024);
        admin.onStop = req -> {
            throw Status.NOT_FOUND.withDescription("unknown group '" + longName + "\u001b[2J'").asRuntimeException();
        };
        Result stop = run("--endpoint", admin.endpoint(), "stop", "web");
        assertEquals(1, stop.code(), stop.err());
        assertEquals(1, stop.errLines().size(), stop.err());
        assertFalse(stop.err().contains("http2 exception"), stop.err());
        assertFalse(stop.err().contains("\u001b"), "no raw escape reaches the terminal");
        assertTrue(stop.err().startsWith("batonctl: unknown group 'gggg"), stop.err().substring(0, 60));
        assertTrue(stop.err().length() < 1200, stop.err().length() + " chars");
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void startSendsTheNodeAndStopPrintsReply() {
        Result r = run("--endpoint", admin.endpoint(), "start", "db", "--on", "server2");
        assertEquals(0, r.code(), r.err());
        assertEquals("starting db\n", r.out());
        assertEquals(StartRequest.newBuilder().setGroup("db").setOn("server2").build(), admin.requests.get(0));
        Result stop = run("--endpoint", admin.endpoint(), "stop", "web");
        assertEquals(0, stop.code(), stop.err());
        assertEquals("stopping web\n", stop.out());
    }

    // ---- endpoints ----

    @Test
    void closedFirstEndpointFailsOverToTheSecond() throws Exception {
        int closed = closedPort();
        Result r = run("--endpoint", "127.0.0.1:" + closed + "," + admin.endpoint(), "move", "web", "--to", "server2");
        assertEquals(0, r.code(), r.err());
        assertEquals("moving web to server2\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void unavailableServerFailsOverToTheNext() throws Exception {
        try (FakeAdmin second = new FakeAdmin().start()) {
            second.status = Clusters.sample();
            admin.failAll = Status.UNAVAILABLE.withDescription("shutting down").asRuntimeException();
            Result r = run("--endpoint", admin.endpoint() + "," + second.endpoint(), "status");
            assertEquals(0, r.code(), r.err());
            assertEquals(1, second.statusCalls.get());
        }
    }

    @Test
    void noQuorumIsAnAnswerNotAnUnreachableEndpoint() throws Exception {
        try (FakeAdmin second = new FakeAdmin().start()) {
            admin.failAll = Status.UNAVAILABLE.withDescription("no quorum: the command could not be committed")
                    .asRuntimeException();
            Result r = run("--endpoint", admin.endpoint() + "," + second.endpoint(), "stop", "web");
            assertOneLineError(r, "no quorum: the command could not be committed");
            assertEquals(0, second.requests.size(), "every node would say the same: not retried elsewhere");
        }
    }

    @Test
    void silentServerTimesOutAndFailsOverToTheNext() throws Exception {
        try (FakeAdmin second = new FakeAdmin().start()) {
            admin.silent = true;
            Result r = run("--endpoint", admin.endpoint() + "," + second.endpoint(), "--timeout", "300ms",
                    "move", "web", "--to", "server2");
            assertEquals(0, r.code(), r.err());
            assertEquals(1, second.requests.size());
        }
    }

    @Test
    void allEndpointsDown() throws Exception {
        int a = closedPort();
        int b = closedPort();
        Result r = run("--endpoint", "127.0.0.1:" + a + ",127.0.0.1:" + b, "status");
        assertOneLineError(r, "no endpoint answered (127.0.0.1:" + a + ": connection refused, 127.0.0.1:" + b
                + ": connection refused)");
    }

    // ---- --wait ----

    @Test
    void moveWaitSeesTheGroupComeOnline() {
        admin.onMove = req -> {
            admin.upcoming.add(Clusters.withWeb("server1", 7, PhaseProto.PHASE_RELEASING));
            admin.upcoming.add(Clusters.withWeb("server2", 8, PhaseProto.PHASE_STARTING));
            admin.upcoming.add(Clusters.withWeb("server2", 8, PhaseProto.PHASE_ONLINE));
            return FakeAdmin.reply("moving web from server1 to server2", 7);
        };
        Result r = run("--endpoint", admin.endpoint(), "move", "web", "--to", "server2", "--wait");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertEquals("moving web from server1 to server2", lines.get(0));
        assertTrue(lines.get(1).matches("web is online on server2 \\(epoch 8\\) after \\d+\\.\\d\\d s"), lines.get(1));
        assertEquals(3, admin.statusCalls.get());
    }

    @Test
    void moveWaitTimesOut() {
        admin.onMove = req -> {
            admin.status = Clusters.withWeb("server2", 8, PhaseProto.PHASE_STARTING);
            return FakeAdmin.reply("moving web from server1 to server2", 7);
        };
        Result r = run("--endpoint", admin.endpoint(), "move", "web", "--to", "server2", "--wait",
                "--wait-timeout", "300ms");
        assertOneLineError(r, "timed out after 300ms waiting for web to be online on server2"
                + " (now: starting on server2, epoch 8)");
        assertTrue(admin.statusCalls.get() >= 2, "polled " + admin.statusCalls.get());
    }

    @Test
    void moveWaitReportsFailure() {
        admin.onMove = req -> {
            GroupStatus failed = Clusters.withWeb("", 8, PhaseProto.PHASE_FAILED).getGroups(0).toBuilder()
                    .addFailedOn("server2").setNodes(1, Clusters.report("server2", 8,
                            io.baton.proto.ActivityProto.ACTIVITY_FAILED, "mount /data: exit 32"))
                    .build();
            admin.status = Clusters.sample().toBuilder().setGroups(0, failed).build();
            return FakeAdmin.reply("moving", 7);
        };
        Result r = run("--endpoint", admin.endpoint(), "move", "web", "--to", "server2", "--wait");
        assertOneLineError(r, "web failed on server2 (server2: mount /data: exit 32)");
    }

    @Test
    void startWaitWithoutNodeAcceptsAnyOwner() {
        admin.onStart = req -> {
            admin.upcoming.add(Clusters.sample().toBuilder()
                    .setGroups(1, Clusters.group("db", "server2", 4, PhaseProto.PHASE_ONLINE)).build());
            return FakeAdmin.reply("starting db", 4);
        };
        Result r = run("--endpoint", admin.endpoint(), "start", "db", "--wait");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("db is online on server2 (epoch 4) after "), r.out());
    }

    @Test
    void stopWaitUntilOfflineWithoutOwner() {
        admin.onStop = req -> {
            admin.upcoming.add(Clusters.withWeb("server1", 7, PhaseProto.PHASE_RELEASING));
            admin.upcoming.add(Clusters.withWeb("", 7, PhaseProto.PHASE_OFFLINE));
            return FakeAdmin.reply("stopping web", 7);
        };
        Result r = run("--endpoint", admin.endpoint(), "stop", "web", "--wait");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("web is stopped after "), r.out());
    }

    // ---- events ----

    private static Event event(long seq, String kind, String group, String node, long epoch, String message) {
        return Event.newBuilder().setSeq(seq).setWallTimeMs(1_795_552_262_123L + seq).setKind(kind).setGroup(group)
                .setNode(node).setEpoch(epoch).setMessage(message).build();
    }

    @Test
    void eventsPrintsOneLinePerEvent() {
        admin.recentEvents = List.of(event(0, "move", "web", "server2", 0, "by operator"),
                event(1, "granted", "web", "server2", 7, "moved"), event(2, "node-down", "", "witness", 0, ""));
        Result r = run("--endpoint", admin.endpoint(), "events", "--last", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals("2026-11-24T20:31:02.124Z  granted         web  server2  epoch 7  moved\n"
                + "2026-11-24T20:31:02.125Z  node-down       -  witness\n", r.out());
        assertEquals(WatchRequest.newBuilder().setRecent(2).build(), admin.requests.get(0));
    }

    @Test
    void eventsJsonIsOneObjectPerLine() throws Exception {
        admin.recentEvents = List.of(event(1, "granted", "web", "server2", 7, "moved"),
                event(2, "online", "web", "server2", 7, ""));
        Result r = run("--endpoint", admin.endpoint(), "-o", "json", "events");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size());
        for (int i = 0; i < 2; i++) {
            Event.Builder parsed = Event.newBuilder();
            JsonFormat.parser().merge(lines.get(i), parsed);
            assertEquals(admin.recentEvents.get(i), parsed.build());
        }
    }

    @Test
    void eventsFollowStreamsUntilTheServerCompletes() throws Exception {
        admin.recentEvents = List.of(event(1, "granted", "web", "server2", 7, "moved"));
        Capture capture = new Capture();
        CompletableFuture<Result> running = CompletableFuture.supplyAsync(
                () -> capture.run("--endpoint", admin.endpoint(), "events", "--follow"));
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.follower.get() != null
                && capture.out().contains("granted         web  server2  epoch 7  moved"));
        assertFalse(running.isDone());
        admin.follower.get().onNext(event(2, "online", "web", "server2", 7, "all resources active"));
        await().atMost(Duration.ofSeconds(10)).until(() -> capture.out().contains("online          web  server2"));
        assertFalse(running.isDone());
        admin.follower.get().onCompleted();
        Result r = running.get(10, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.out().lines().count(), r.out());
        assertEquals(WatchRequest.newBuilder().setFollow(true).setRecent(20).build(), admin.requests.get(0));
    }

    @Test
    void eventsFollowEndingWithAnErrorExitsOne() throws Exception {
        Capture capture = new Capture();
        CompletableFuture<Result> running = CompletableFuture.supplyAsync(
                () -> capture.run("--endpoint", admin.endpoint(), "events", "-f"));
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.follower.get() != null);
        admin.follower.get().onError(Status.INTERNAL.withDescription("state machine closed").asRuntimeException());
        assertOneLineError(running.get(10, TimeUnit.SECONDS), "state machine closed");
    }

    // ---- usage ----

    @Test
    void usageErrorsExitTwoWithUsage() {
        for (String[] args : List.of(new String[] {"frobnicate"}, new String[] {"move", "web"},
                new String[] {"move"}, new String[] {"--endpoint", "nohostport", "status"},
                new String[] {"--endpoint", "host:99999", "status"}, new String[] {"--timeout", "5x", "status"},
                new String[] {"status", "--output", "yaml"}, new String[] {"move", "web", "--to", "s2",
                        "--wait-timeout", "0s"}, new String[] {"events", "--last", "-1"}, new String[] {"status", "--group"}, new String[0])) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r);
            assertTrue(r.err().contains("Usage: batonctl"), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void helpAndVersionExitZero() {
        Result help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Usage: batonctl"), help.out());
        assertTrue(help.out().contains("move"), help.out());
        Result subHelp = run("move", "--help");
        assertEquals(0, subHelp.code());
        assertTrue(subHelp.out().contains("--wait-timeout"), subHelp.out());
        Result version = run("--version");
        assertEquals(0, version.code());
        assertEquals("baton 0.1.0\n", version.out());
    }

    @Test
    void completionForBashCompletesCommandsInARealShell(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Result r = run("completion", "bash");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("complete -F"), r.out());
        java.nio.file.Path script = java.nio.file.Files.writeString(dir.resolve("batonctl.bash"), r.out());
        Process p = new ProcessBuilder("bash", "-c", "source " + script
                + "; compopt() { :; };" // only callable inside a real completion; its options do not matter here
                + " COMP_WORDS=(batonctl mo); COMP_CWORD=1; COMP_LINE='batonctl mo'; COMP_POINT=11;"
                + " _complete_batonctl batonctl mo batonctl; echo \"${COMPREPLY[*]}\"").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("move", out);
        assertEquals("--group", complete(script, "batonctl", "status", "--gr"));
        Result bad = run("completion", "fish");
        assertEquals(1, bad.code());
        assertEquals("batonctl: completion: unknown shell 'fish'; give bash (zsh uses it through bashcompinit)", bad.err().trim());
    }

    /** What the completion script offers for the last of {@code words}, in a real bash. */
    private static String complete(java.nio.file.Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        Process p = new ProcessBuilder("bash", "-c", "source " + script + "; compopt() { :; };"
                + " COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "';"
                + " COMP_POINT=" + line.length() + "; _complete_batonctl batonctl " + words[words.length - 1] + " "
                + words[words.length - 2] + "; echo \"${COMPREPLY[*]}\"").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        return out;
    }
}
