package io.baton.node.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns the text of a cluster file into a plain tree, and YAML syntax errors into
 * {@code <file>: line N: <problem>} messages.
 *
 * <p>The file is read as a tree rather than bound to classes so that validation can name the exact
 * field of every problem. Duplicate keys are refused (YAML would silently keep the last one, so a
 * second {@code lease:} would quietly win), and so is a second document after {@code ---}.
 */
final class YamlTree {

    private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private YamlTree() {}

    /** The document's root, or a {@link MissingNode} when the text holds no document. */
    static JsonNode read(String text, String source) throws ConfigException {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode root = MAPPER.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw ConfigException.atLine(source, parser.currentLocation().getLineNr(),
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
                return ConfigException.atLine(source, yaml.getProblemMark().getLine() + 1, describe(yaml));
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
        return ConfigException.atLine(source, location.getLineNr(), problem);
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
