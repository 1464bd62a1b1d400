package io.baton.coordinator.core;

import io.baton.proto.ResultCode;

/** A command that was validated and refused; the state is left exactly as it was. */
final class Refusal extends Exception {
    final ResultCode code;

    Refusal(ResultCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }
}
