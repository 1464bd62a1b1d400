package io.baton.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One YAML mapping of the cluster file together with its field path, so that every typed read names
 * the exact field it failed on ({@code nodes[1].raft: ...}). Each getter checks presence, type and
 * format; it knows nothing about what the field means for the cluster.
 *
 * <p>A key that is present with no value ({@code lease:}, {@code lease: ~} or {@code lease: ""}) is
 * an error even for optional fields: leaving a value out by accident should not silently select a
 * default.
 */
final class YamlMap {

    /** Cluster, node, group and resource names: safe in paths, URLs, logs and environment values. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final String source;
    private final String path;
    private final JsonNode node;

    private YamlMap(String source, String path, JsonNode node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    /** {@code node} as a mapping at {@code path}, or an error naming the path if it is not one. */
    static YamlMap of(JsonNode node, String path, String source) throws ConfigException {
        if (!node.isObject()) {
            throw new ConfigException(source, path, "must be a mapping of keys to values, got " + describe(node));
        }
        return new YamlMap(source, path, node);
    }

    String path() {
        return path;
    }

    String source() {
        return source;
    }

    /** The path of a key of this mapping. */
    String pathOf(String key) {
        return FieldPath.child(path, key);
    }

    /** An error about the value of {@code key}. */
    ConfigException error(String key, String problem) {
        return new ConfigException(source, pathOf(key), problem);
    }

    /** Refuses keys other than {@code allowed}, naming the key and listing the allowed ones. */
    void allowOnly(String... allowed) throws ConfigException {
        List<String> allowedKeys = List.of(allowed);
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            if (!allowedKeys.contains(key)) {
                String hint = DidYouMean.closest(key, allowedKeys);
                throw error(key, "unknown key '" + key + "'"
                        + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                        + "; allowed keys: " + String.join(", ", allowedKeys));
            }
        }
    }

    boolean has(String key) {
        return node.has(key);
    }

    /** The keys and values in file order. */
    List<Map.Entry<String, JsonNode>> entries() {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        entries.addAll(node.properties());
        return entries;
    }

    /** The raw value, or null when the key is absent; for fields with more than one accepted type. */
    JsonNode optionalValue(String key) throws ConfigException {
        return optional(key);
    }

    String requiredString(String key) throws ConfigException {
        return string(key, required(key));
    }

    /** The string, or null when the key is absent. */
    String optionalString(String key) throws ConfigException {
        JsonNode value = optional(key);
        return value == null ? null : string(key, value);
    }

    /** A required name matching {@link #NAME}. */
    String requiredName(String key) throws ConfigException {
        String name = requiredString(key);
        checkName(pathOf(key), name);
        return name;
    }

    /** A positive duration such as {@code 250ms}. */
    Duration requiredDuration(String key) throws ConfigException {
        return duration(key, required(key));
    }

    /** A positive duration, or {@code fallback} when the key is absent. */
    Duration optionalDuration(String key, Duration fallback) throws ConfigException {
        JsonNode value = optional(key);
        return value == null ? fallback : duration(key, value);
    }

    /**
     * A duration that may also be zero (written {@code 0}, {@code 0s}, {@code 0ms}...), or
     * {@code fallback} when the key is absent; for settings where zero means "none" or "off".
     */
    Duration optionalDurationOrZero(String key, Duration fallback) throws ConfigException {
        JsonNode value = optional(key);
        if (value == null) {
            return fallback;
        }
        if ((value.isIntegralNumber() && value.bigIntegerValue().signum() == 0)
                || (value.isTextual() && value.textValue().equals("0"))) {
            return Duration.ZERO;
        }
        if (!value.isTextual()) {
            throw error(key, "must be a duration with a unit, e.g. 250ms or 3s, or 0, got " + describe(value));
        }
        try {
            return DurationParser.parse(value.textValue());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    boolean optionalBoolean(String key, boolean fallback) throws ConfigException {
        JsonNode value = optional(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw error(key, "must be true or false, got " + describe(value));
        }
        return value.booleanValue();
    }

    /** A whole number in {@code [min, max]}. */
    int requiredInt(String key, int min, int max) throws ConfigException {
        return integer(key, required(key), min, max);
    }

    /** A whole number in {@code [min, max]}, or {@code fallback} when the key is absent. */
    int optionalInt(String key, int min, int max, int fallback) throws ConfigException {
        JsonNode value = optional(key);
        return value == null ? fallback : integer(key, value, min, max);
    }

    HostPort requiredHostPort(String key) throws ConfigException {
        JsonNode value = required(key);
        if (value.isArray()) {
            throw error(key, "must be a string host:port, got a list;"
                    + " quote IPv6 addresses, e.g. \"[fd00::1]:7400\"");
        }
        String text = string(key, value);
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    YamlMap requiredMap(String key) throws ConfigException {
        return of(required(key), pathOf(key), source);
    }

    /** The mapping, or null when the key is absent. */
    YamlMap optionalMap(String key) throws ConfigException {
        JsonNode value = optional(key);
        return value == null ? null : of(value, pathOf(key), source);
    }

    /** A list with at least one item; {@code items} names them in the error, e.g. "node". */
    List<JsonNode> requiredList(String key, String items) throws ConfigException {
        List<JsonNode> list = list(key, required(key));
        if (list.isEmpty()) {
            throw error(key, "must list at least one " + items);
        }
        return list;
    }

    /** The list (possibly empty), or an empty list when the key is absent. */
    List<JsonNode> optionalList(String key) throws ConfigException {
        JsonNode value = optional(key);
        return value == null ? List.of() : list(key, value);
    }

    /** A string item of a list, checked like a string field; {@code path} is the item's path. */
    String stringItem(JsonNode item, String itemPath) throws ConfigException {
        if (!item.isTextual()) {
            throw new ConfigException(source, itemPath, "must be a string, got " + describe(item));
        }
        if (item.textValue().isBlank()) {
            throw new ConfigException(source, itemPath, "must not be blank");
        }
        return item.textValue();
    }

    /** Refuses a name that does not match {@link #NAME}. */
    void checkName(String namePath, String name) throws ConfigException {
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(source, namePath,
                    "must contain only letters, digits, '.', '_' and '-', got '" + name + "'");
        }
    }

    private JsonNode required(String key) throws ConfigException {
        JsonNode value = node.get(key);
        if (value == null) {
            throw error(key, "required field is missing");
        }
        return present(key, value);
    }

    private JsonNode optional(String key) throws ConfigException {
        JsonNode value = node.get(key);
        return value == null ? null : present(key, value);
    }

    private JsonNode present(String key, JsonNode value) throws ConfigException {
        // The YAML reader gives a bare "key:" as an empty string, so that counts as no value too.
        if (value.isNull() || (value.isTextual() && value.textValue().isEmpty())) {
            throw error(key, "has no value");
        }
        return value;
    }

    private String string(String key, JsonNode value) throws ConfigException {
        if (!value.isTextual()) {
            throw error(key, "must be a string, got " + describe(value));
        }
        if (value.textValue().isBlank()) {
            throw error(key, "must not be blank");
        }
        return value.textValue();
    }

    private Duration duration(String key, JsonNode value) throws ConfigException {
        if (!value.isTextual()) {
            throw error(key, "must be a duration with a unit, e.g. 250ms or 3s, got " + describe(value));
        }
        Duration duration;
        try {
            duration = DurationParser.parse(value.textValue());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
        if (duration.isZero()) {
            throw error(key, "must be positive, got " + value.textValue());
        }
        return duration;
    }

    private int integer(String key, JsonNode value, int min, int max) throws ConfigException {
        if (!value.isIntegralNumber()) {
            throw error(key, "must be a whole number, got " + describe(value));
        }
        BigInteger number = value.bigIntegerValue();
        boolean tooSmall = number.compareTo(BigInteger.valueOf(min)) < 0;
        if (tooSmall || number.compareTo(BigInteger.valueOf(max)) > 0) {
            // With no upper bound of its own, the only range worth naming is the lower bound.
            String range = max != Integer.MAX_VALUE ? "between " + min + " and " + max
                    : tooSmall ? "at least " + min : "at most " + max;
            throw error(key, "must be " + range + ", got " + number);
        }
        return number.intValue();
    }

    private List<JsonNode> list(String key, JsonNode value) throws ConfigException {
        if (!value.isArray()) {
            throw error(key, "must be a list, got " + describe(value));
        }
        List<JsonNode> items = new ArrayList<>();
        value.elements().forEachRemaining(items::add);
        return items;
    }

    /** How a value looks in a "got ..." message. */
    static String describe(JsonNode value) {
        if (value.isNull()) {
            return "no value";
        }
        if (value.isTextual()) {
            return value.textValue().isEmpty() ? "an empty string" : "string '" + value.textValue() + "'";
        }
        if (value.isNumber()) {
            return "number " + value.asText();
        }
        if (value.isBoolean()) {
            return "boolean " + value.asText();
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
