package io.baton.node.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.proto.Event;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an alert receives of one event: JSON (webhook body, exec stdin) and environment variables. */
public final class AlertPayload {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertPayload() {}

    /** {@code {"id":..,"cluster":..,"kind":..,"group":..,"node":..,"epoch":..,"time":..,"message":..,"caller":..}}. */
    public static String json(String cluster, Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.getSeq());
        m.put("cluster", cluster);
        m.put("kind", e.getKind());
        m.put("group", e.getGroup());
        m.put("node", e.getNode());
        m.put("epoch", e.getEpoch());
        m.put("time", Instant.ofEpochMilli(e.getWallTimeMs()).toString());
        m.put("message", e.getMessage());
        m.put("caller", e.getCaller());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** BATON_EVENT_ID, _KIND, _GROUP, _NODE, _EPOCH, _TIME, _MESSAGE, _CALLER and BATON_CLUSTER. */
    public static Map<String, String> env(String cluster, Event e) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("BATON_CLUSTER", cluster);
        m.put("BATON_EVENT_ID", Long.toString(e.getSeq()));
        m.put("BATON_EVENT_KIND", e.getKind());
        m.put("BATON_EVENT_GROUP", e.getGroup());
        m.put("BATON_EVENT_NODE", e.getNode());
        m.put("BATON_EVENT_EPOCH", Long.toString(e.getEpoch()));
        m.put("BATON_EVENT_TIME", Instant.ofEpochMilli(e.getWallTimeMs()).toString());
        m.put("BATON_EVENT_MESSAGE", e.getMessage());
        m.put("BATON_EVENT_CALLER", e.getCaller());
        return m;
    }
}
