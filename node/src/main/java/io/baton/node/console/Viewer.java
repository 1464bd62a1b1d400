package io.baton.node.console;

import io.baton.node.admin.AdminCaller;
import io.baton.node.admin.AdminPermissions;

/**
 * Who is looking at the console, and on which node: a signed-in caller, or nobody in particular on a
 * cluster without TLS (where the admin port lets anyone make any call, and so does the console).
 */
record Viewer(AdminCaller caller, String node) {

    /** "alice (operator)", or a line that says the console is open to anyone. */
    String describe() {
        return caller == null ? "anyone (this cluster runs without TLS)" : caller.describe();
    }

    /** Why this viewer may not make the admin call {@code method}, or null when it may. */
    String refusal(String method) {
        return caller == null ? null : AdminPermissions.problem(caller, method);
    }
}
