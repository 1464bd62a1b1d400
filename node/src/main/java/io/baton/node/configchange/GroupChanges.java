package io.baton.node.configchange;

import io.baton.node.config.ExecResourceConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.ResourceConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One line per setting that differs between two versions of a group, for the operator's answer and the
 * event: {@code group 'web': resource 'app': monitor.interval 2s -> 1s}. Settings are the records'
 * components, so a field added to a config record is described without a change here.
 */
final class GroupChanges {
    private GroupChanges() {
    }

    static List<String> describe(GroupConfig was, GroupConfig now) {
        String prefix = "group '" + now.name() + "': ";
        List<String> out = new ArrayList<>();
        for (RecordComponent c : GroupConfig.class.getRecordComponents()) {
            if (c.getName().equals("resources")) {
                continue;
            }
            Object a = value(c, was);
            Object b = value(c, now);
            if (!Objects.equals(a, b)) {
                out.add(prefix + c.getName() + " " + shown(a) + " -> " + shown(b));
            }
        }
        List<String> wasNames = was.resources().stream().map(ResourceConfig::name).toList();
        List<String> nowNames = now.resources().stream().map(ResourceConfig::name).toList();
        if (!wasNames.equals(nowNames)) {
            out.add(prefix + "resources " + wasNames + " -> " + nowNames);
            return out;
        }
        for (int i = 0; i < was.resources().size(); i++) {
            ResourceConfig a = was.resources().get(i);
            ResourceConfig b = now.resources().get(i);
            if (a.equals(b)) {
                continue;
            }
            if (a.getClass() != b.getClass()) {
                out.add(prefix + "resource '" + a.name() + "' is a " + b.type() + " now, not a " + a.type());
                continue;
            }
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                Object x = value(c, a);
                Object y = value(c, b);
                if (Objects.equals(x, y)) {
                    continue;
                }
                if (x instanceof Record && y instanceof Record && x.getClass() == y.getClass()) {
                    for (RecordComponent inner : x.getClass().getRecordComponents()) {
                        Object p = value(inner, x);
                        Object q = value(inner, y);
                        if (!Objects.equals(p, q)) {
                            out.add(prefix + "resource '" + a.name() + "': " + name(a, c) + "." + inner.getName() + " " + shown(p) + " -> " + shown(q));
                        }
                    }
                } else {
                    out.add(prefix + "resource '" + a.name() + "': " + name(a, c) + " " + shown(x) + " -> " + shown(y));
                }
            }
        }
        return out;
    }

    private static String name(ResourceConfig r, RecordComponent c) {
        return r instanceof ExecResourceConfig && c.getName().equals("stopTimeout") ? "stop_timeout" : c.getName();
    }

    /** Durations as the file writes them ({@code 2s}, {@code 1500ms}), enum constants in lower case. */
    static String shown(Object v) {
        if (v == null) {
            return "none";
        }
        if (v instanceof java.time.Duration d) {
            return io.baton.coordinator.core.GroupPolicy.duration(d.toMillis());
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(java.util.Locale.ROOT);
        }
        return v.toString();
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass().getSimpleName(), e);
        }
    }
}
