package io.baton.node.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns the text of a cluster file into a plain tree, and YAML syntax errors into
 * {@code <file>: line N, column M: <problem>} messages.
 *
 * <p>The tree is then bound to records ({@link ConfigBinder}); it is kept, so that a message can
 * describe the value a field had. Duplicate keys are refused (YAML would silently keep the last one, so a
 * second {@code lease:} would quietly win), and so is a second document after {@code ---}.
 */
final class YamlTree {

    /**
     * How deeply lists and mappings may nest. A cluster file needs about six levels; the parser's own
     * limit (1000) would only be named by its internal setting, without a line.
     */
    static final int MAX_NESTING_DEPTH = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build());

    private YamlTree() {}

    /** The document's root, or a {@link MissingNode} when the text holds no document. */
    static JsonNode read(String text, String source) throws ConfigException {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode root;
            try {
                root = MAPPER.readTree(parser);
            } catch (StreamConstraintsException e) {
                // It carries no location of its own; the parser stands where the limit was crossed.
                JsonLocation at = parser.currentLocation();
                throw ConfigException.atLine(source, at.getLineNr(), at.getColumnNr(), "YAML nested more than "
                        + MAX_NESTING_DEPTH + " levels deep (lists and mappings); a cluster file needs fewer than 10");
            }
            if (root != null && parser.nextToken() != null) {
                JsonLocation at = parser.currentLocation();
                throw ConfigException.atLine(source, at.getLineNr(), at.getColumnNr(),
                        "found a second YAML document (after ---); a cluster file holds exactly one");
            }
            return root == null ? MissingNode.getInstance() : root;
        } catch (JsonProcessingException e) {
            throw syntaxError(e, source);
        } catch (IOException e) {
            // Reading from a String does no I/O; this would be a parser fault, still reported plainly.
            throw new ConfigException(source, null, "cannot parse YAML");
        }
    }

    private static ConfigException syntaxError(JsonProcessingException e, String source) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                Mark mark = yaml.getProblemMark();
                return ConfigException.atLine(source, mark.getLine() + 1, mark.getColumn() + 1, describe(yaml));
            }
        }
        String problem = firstLine(e.getOriginalMessage());
        if (problem.startsWith("Duplicate field ")) {
            problem = "duplicate key " + problem.substring("Duplicate field ".length());
        }
        JsonLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return new ConfigException(source, null, problem);
        }
        return ConfigException.atLine(source, location.getLineNr(), location.getColumnNr(), problem);
    }

    private static String describe(MarkedYAMLException yaml) {
        String problem = firstLine(yaml.getProblem());
        Mark contextMark = yaml.getContextMark();
        if (yaml.getContext() != null && contextMark != null) {
            return problem + " (" + yaml.getContext() + " started on line " + (contextMark.getLine() + 1) + ")";
        }
        return problem;
    }

    private static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return "invalid YAML";
        }
        String line = text.strip();
        int newline = line.indexOf('\n');
        return newline < 0 ? line : line.substring(0, newline).strip();
    }
}
