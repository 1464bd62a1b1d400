package io.baton.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Binds the cluster file's tree to {@link ClusterFile}'s records with Jackson, strictly: unknown keys,
 * a key with no value, and a value of the wrong type (no string read as a number or the other way
 * round) each fail, and {@link #translate} turns Jackson's exception into the operator's message: the
 * field path, the problem, the allowed keys and the closest one to a misspelt key.
 */
final class ConfigBinder {
    private ConfigBinder() {
    }

    /** A problem a deserializer found with the value at hand; the binding adds where it is. */
    static final class Problem extends JsonMappingException {
        private static final long serialVersionUID = 1L;

        Problem(JsonParser p, String problem) {
            super(p, problem);
        }
    }

    static Problem problem(JsonParser p, String problem) {
        return new Problem(p, problem);
    }

    private static final ObjectMapper MAPPER = mapper();

    private static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper();
        SimpleModule values = new SimpleModule("baton-config-values");
        values.addDeserializer(String.class, new Strings());
        values.addDeserializer(HostPort.class, new HostPorts());
        values.addDeserializer(Duration.class, new Durations.Positive());
        m.registerModule(values);
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        // No guessing between types: 3 is not "3", "8080" is not 8080, "yes" is not true.
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Boolean, LogicalType.Collection, LogicalType.Map,
                LogicalType.POJO)) {
            for (CoercionInputShape shape : List.of(CoercionInputShape.String, CoercionInputShape.Float,
                    CoercionInputShape.Integer, CoercionInputShape.Boolean, CoercionInputShape.EmptyString)) {
                if (!(t == LogicalType.Integer && shape == CoercionInputShape.Integer)) {
                    m.coercionConfigFor(t).setCoercion(shape, CoercionAction.Fail);
                }
            }
        }
        return m;
    }

    /** The file's records from its tree (an object: the caller checked). */
    static ClusterFile.Root bind(JsonNode root, String source) throws ConfigException {
        try {
            ClusterFile.Root bound = MAPPER.treeToValue(root, ClusterFile.Root.class);
            // Bound, so every key is known: a key with no value ("lease:", "lease: ~") was left out by
            // accident, not a request for the default (Jackson binds it as absent).
            noValue(root, "", source);
            return bound;
        } catch (JsonMappingException e) {
            throw translate(e, root, source);
        } catch (IOException e) {
            // A tree holds no I/O; this would be a binding fault, still reported plainly.
            throw new ConfigException(source, null, "cannot read the file: " + e.getMessage());
        }
    }

    /** Refuses the first key of a mapping with a null or empty value, in file order (an env's values are the reader's). */
    private static void noValue(JsonNode node, String path, String source) throws ConfigException {
        if (node.isObject()) {
            for (var e : node.properties()) {
                String at = FieldPath.child(path, e.getKey());
                JsonNode v = e.getValue();
                if (v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
                    if (!path.endsWith(".env")) {
                        throw new ConfigException(source, at, "has no value");
                    }
                }
                noValue(v, at, source);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                noValue(node.get(i), FieldPath.index(path, i), source);
            }
        }
    }

    /** Jackson's account of a binding failure, as the operator's message about the field it concerns. */
    static ConfigException translate(JsonMappingException e, JsonNode root, String source) {
        List<JsonMappingException.Reference> refs = e.getPath();
        String path = path(refs);
        if (e instanceof UnrecognizedPropertyException u) {
            return unknownKey(u, path, source);
        }
        JsonNode at = nodeAt(root, refs);
        if (e instanceof InvalidTypeIdException t && at != null && at.isObject()) {
            String typePath = FieldPath.child(path, "type");
            if (t.getTypeId() == null) {
                return new ConfigException(source, typePath, "required field is missing");
            }
            return new ConfigException(source, typePath, unknownType(t.getBaseType().getRawClass(), t.getTypeId()));
        }
        if (at != null && (at.isNull() || (at.isTextual() && at.textValue().isEmpty()))) {
            return new ConfigException(source, path, "has no value");
        }
        if (e instanceof Problem) {
            return new ConfigException(source, path, e.getOriginalMessage());
        }
        if (e instanceof InvalidTypeIdException) {
            return new ConfigException(source, path, "must be a mapping of keys to values, got " + describe(at));
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return new ConfigException(source, path, "must be " + expected(m.getTargetType()) + ", got " + describe(at));
        }
        return new ConfigException(source, path, "cannot be read: " + e.getOriginalMessage());
    }

    private static String expected(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == BigInteger.class || type == Integer.class || type == int.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping of keys to values";
    }

    private static String unknownType(Class<?> base, String id) {
        if (base == ClusterFile.Resource.class) {
            return "unknown resource type '" + id + "'; known types: " + String.join(", ", ClusterFileReader.RESOURCE_TYPES);
        }
        if (base == ClusterFile.Monitor.class) {
            return "must be tcp, http or exec, got '" + id + "'";
        }
        return "must be exec or webhook, got '" + id + "'";
    }

    private static ConfigException unknownKey(UnrecognizedPropertyException u, String path, String source) {
        String key = u.getPropertyName();
        Class<?> type = u.getReferringClass();
        // Monitors go on exec resources: say why, where the generic message would leave the operator guessing.
        if ((type == ClusterFile.ProbePort.class || type == ClusterFile.MirrorDisk.class)
                && (key.equals("monitor") || key.equals("restart"))) {
            String why = type == ClusterFile.ProbePort.class ? "the probe port is what the load balancer checks"
                    : "the mirror disk is watched by its replication";
            return new ConfigException(source, path, key.equals("monitor") ? "monitors go on exec resources only; " + why
                    : "restart goes with a monitor, on exec resources only; " + why);
        }
        List<String> allowed = keys(type);
        String hint = DidYouMean.closest(key, allowed);
        return new ConfigException(source, path, "unknown key '" + key + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                + "; allowed keys: " + String.join(", ", allowed));
    }

    /** The keys of a record of {@link ClusterFile}, in its order. */
    static List<String> keys(Class<?> type) {
        List<String> keys = new ArrayList<>();
        if (type != null && type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                // JsonProperty does not target record components: javac puts it on the accessor (and field).
                JsonProperty name = c.getAccessor().getAnnotation(JsonProperty.class);
                keys.add(name != null && !name.value().isEmpty() ? name.value() : c.getName());
            }
        }
        return keys;
    }

    /** {@code groups[0].resources[1].port}, as {@link FieldPath} spells it. */
    private static String path(List<JsonMappingException.Reference> refs) {
        String path = "";
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                path = FieldPath.child(path, r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path = FieldPath.index(path, r.getIndex());
            }
        }
        return path;
    }

    /** The value the path leads to in the tree, or null where it leads nowhere. */
    private static JsonNode nodeAt(JsonNode root, List<JsonMappingException.Reference> refs) {
        JsonNode node = root;
        for (JsonMappingException.Reference r : refs) {
            if (node == null) {
                return null;
            }
            node = r.getFieldName() != null ? node.get(r.getFieldName()) : r.getIndex() >= 0 ? node.get(r.getIndex()) : node;
        }
        return node;
    }

    /** How the parser's current value looks in a "got ..." message. */
    static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "no value";
        }
        return switch (t) {
            case VALUE_STRING -> p.getText().isEmpty() ? "an empty string" : "string '" + p.getText() + "'";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + p.getText();
            case VALUE_TRUE, VALUE_FALSE -> "boolean " + p.getText();
            case START_ARRAY -> "a list";
            case START_OBJECT -> "a mapping";
            case VALUE_NULL -> "no value";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** How a value looks in a "got ..." message. */
    static String describe(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
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

    /** Strings are strings: a number or a boolean is refused, and so is an empty or blank one. */
    private static final class Strings extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw problem(p, "must be a string, got " + describe(p));
            }
            String text = p.getText();
            if (text.isBlank()) {
                throw problem(p, text.isEmpty() && !p.getParsingContext().inArray() ? "has no value" : "must not be blank");
            }
            return text;
        }
    }

    /** {@code host:port}, with the hint IPv6 needs: unquoted, {@code [fd00::1]:7400} reads as a list. */
    private static final class HostPorts extends JsonDeserializer<HostPort> {
        @Override
        public HostPort deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.START_ARRAY) {
                throw problem(p, "must be a string host:port, got a list; quote IPv6 addresses, e.g. \"[fd00::1]:7400\"");
            }
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw problem(p, "must be a string, got " + describe(p));
            }
            if (p.getText().isBlank()) {
                throw problem(p, p.getText().isEmpty() ? "has no value" : "must not be blank");
            }
            try {
                return HostPort.parse(p.getText());
            } catch (IllegalArgumentException e) {
                throw problem(p, e.getMessage());
            }
        }
    }
}
