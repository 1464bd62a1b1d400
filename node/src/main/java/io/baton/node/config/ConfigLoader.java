package io.baton.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads the cluster file: YAML text to tree ({@link YamlTree}), tree to the file's records with
 * Jackson ({@link ConfigBinder}, {@link ClusterFile}), records to model with per-field checks and
 * defaults ({@link ClusterFileReader}), rules across fields ({@link ClusterValidator}), then warnings
 * ({@link ClusterAdvisor}). Every error names its exact field path; the first one found is reported.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /**
     * Loads and validates a cluster file. Messages name the file as {@code file} was given.
     *
     * @throws ConfigException if the file cannot be read or is not a valid cluster file
     */
    public static ClusterConfig load(Path file) throws ConfigException {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new ConfigException(source, null, "is a directory, not a cluster file");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, null, "file not found");
        } catch (AccessDeniedException e) {
            throw new ConfigException(source, null, "permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, null, "not valid UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(source, null, "cannot read file: " + e.getMessage());
        }
        return build(text, source, file);
    }

    /**
     * Validates cluster file text. The result's {@code source} is null.
     *
     * @param sourceName how messages name the text, e.g. {@code cluster.yaml}
     * @throws ConfigException if the text is not a valid cluster file
     */
    public static ClusterConfig parse(String yamlText, String sourceName) throws ConfigException {
        return build(yamlText, sourceName, null);
    }

    private static ClusterConfig build(String text, String source, Path file) throws ConfigException {
        JsonNode root = YamlTree.read(text, source);
        ClusterConfig config = ClusterFileReader.read(root, source, file);
        ClusterValidator.validate(config, source);
        // The hash of the very text parsed: a file that changed since cannot make it say otherwise.
        return config.withWarnings(ClusterAdvisor.warnings(config))
                .withFingerprint(ConfigFingerprint.of(text.getBytes(StandardCharsets.UTF_8)));
    }
}
