package io.baton.node.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.time.Duration;

/**
 * How the cluster file's durations bind ({@link DurationParser}'s grammar): a string with a unit, never
 * a bare number, whose unit the operator would have to guess. {@link Positive} for every duration but
 * those where zero means "off" ({@link ZeroAllowed}, written {@code 0}, {@code 0s}...).
 */
final class Durations {
    private Durations() {
    }

    static final class Positive extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw ConfigBinder.problem(p, "must be a duration with a unit, e.g. 250ms or 3s, got " + ConfigBinder.describe(p));
            }
            Duration d = parse(p);
            if (d.isZero()) {
                throw ConfigBinder.problem(p, "must be positive, got " + p.getText());
            }
            return d;
        }
    }

    static final class ZeroAllowed extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if ((t == JsonToken.VALUE_NUMBER_INT && p.getBigIntegerValue().signum() == 0)
                    || (t == JsonToken.VALUE_STRING && p.getText().equals("0"))) {
                return Duration.ZERO;
            }
            if (t != JsonToken.VALUE_STRING) {
                throw ConfigBinder.problem(p, "must be a duration with a unit, e.g. 250ms or 3s, or 0, got "
                        + ConfigBinder.describe(p));
            }
            return parse(p);
        }
    }

    private static Duration parse(JsonParser p) throws IOException {
        if (p.getText().isEmpty()) {
            throw ConfigBinder.problem(p, "has no value");
        }
        try {
            return DurationParser.parse(p.getText());
        } catch (IllegalArgumentException e) {
            throw ConfigBinder.problem(p, e.getMessage());
        }
    }
}
