package io.baton.node.admin;

import io.baton.node.security.Role;
import java.util.Map;

/**
 * Which role each admin call needs, and the refusal when the caller's role is not enough: a pure
 * function of (caller, method). A method not listed here needs {@code admin}: a call added to the
 * API later is closed until someone decides who may make it.
 */
public final class AdminPermissions {
    /** The words a refusal starts with; scripts and tests outside the project look for them. */
    public static final String DENIED = "permission denied";

    record Rule(String verb, Role needs) {}

    private static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("Status", new Rule("read the status", Role.VIEWER)),
            Map.entry("Watch", new Rule("read the events", Role.VIEWER)),
            // The console's session carries the caller's role; each of its actions is checked as here.
            Map.entry("ConsoleLogin", new Rule("open the web console", Role.VIEWER)),
            Map.entry("Move", new Rule("move", Role.OPERATOR)),
            Map.entry("Start", new Rule("start", Role.OPERATOR)),
            Map.entry("Stop", new Rule("stop", Role.OPERATOR)),
            Map.entry("Maintenance", new Rule("set maintenance", Role.OPERATOR)),
            Map.entry("NodeStandby", new Rule("set a node standby or online", Role.OPERATOR)),
            Map.entry("Clear", new Rule("clear", Role.OPERATOR)),
            Map.entry("ForceActivate", new Rule("force-activate", Role.ADMIN)),
            Map.entry("ConfigApply", new Rule("apply a cluster configuration", Role.ADMIN)));

    private AdminPermissions() {
    }

    /** The rule for a gRPC method's bare name (e.g. {@code Move}). */
    static Rule rule(String method) {
        return RULES.getOrDefault(method, new Rule(method, Role.ADMIN));
    }

    /** Null when {@code caller} may call {@code method}; else the one-line refusal. */
    public static String problem(AdminCaller caller, String method) {
        Rule rule = rule(method);
        if (caller.node() && rule.needs() != Role.VIEWER) {
            return DENIED + ": " + caller.describe() + " may not " + rule.verb()
                    + " (a node's certificate is not an operator's)";
        }
        if (!caller.role().includes(rule.needs())) {
            return DENIED + ": " + caller.describe() + " may not " + rule.verb();
        }
        return null;
    }
}
