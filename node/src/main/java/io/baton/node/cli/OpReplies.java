package io.baton.node.cli;

import io.baton.proto.admin.OpReply;

/** Prints the reply of move, start, stop, maintenance, node standby/online and clear. */
final class OpReplies {
    private OpReplies() {
    }

    static void print(BatonCtl ctl, OpReply reply) {
        if (ctl.output() == OutputFormat.json) {
            ctl.out().println(Json.compact(reply));
        } else {
            ctl.out().println(reply.getMessage().isEmpty() ? "ok" : reply.getMessage());
        }
    }
}
