package io.baton.it.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs short commands with a time bound; output is collected (stdout and stderr together). */
final class Sh {
    private Sh() {}

    record Result(List<String> argv, int exit, String out) {
        boolean ok() {
            return exit == 0;
        }

        Result check() {
            if (exit != 0) {
                throw new IllegalStateException("command failed (exit " + exit + "): " + String.join(" ", argv) + "\n" + out);
            }
            return this;
        }
    }

    static Result run(Duration timeout, List<String> argv) {
        Process p;
        try {
            p = builder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return new Result(argv, 127, e.toString());
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(argv, 124, "timed out after " + timeout.toMillis() + " ms: " + out.getNow(""));
            }
            return new Result(argv, p.exitValue(), out.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(argv, 130, "interrupted");
        } catch (Exception e) {
            return new Result(argv, p.exitValue(), "");
        }
    }

    /** A process builder whose PATH includes the sbin directories (ip, tc, iptables, nginx, haproxy live there). */
    static ProcessBuilder builder(List<String> argv) {
        List<String> a = new java.util.ArrayList<>(argv);
        if (!a.get(0).contains("/")) {
            a.set(0, LabSupport.find(a.get(0)).orElse(a.get(0)));
        }
        ProcessBuilder pb = new ProcessBuilder(a);
        String path = pb.environment().getOrDefault("PATH", "");
        for (String d : List.of("/usr/local/sbin", "/usr/sbin", "/sbin")) {
            if (!(":" + path + ":").contains(":" + d + ":")) {
                path = path.isEmpty() ? d : path + ":" + d;
            }
        }
        pb.environment().put("PATH", path);
        return pb;
    }

    static Result run(String... argv) {
        return run(Duration.ofSeconds(20), List.of(argv));
    }

    static Result check(String... argv) {
        return run(argv).check();
    }
}
