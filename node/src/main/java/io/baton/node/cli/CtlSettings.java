package io.baton.node.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.baton.node.config.TlsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where batonctl connects and with which certificate: each setting from its flag, else its environment
 * variable, else the settings file ({@code ~/.config/baton/batonctl.yaml}, or under
 * {@code $XDG_CONFIG_HOME}), else its default. A pure function of the three sources; the file is read
 * by {@link #readFile}.
 */
record CtlSettings(List<Endpoint> endpoints, Optional<TlsConfig.Files> tls) {
    static final String DEFAULT_ENDPOINT = "127.0.0.1:7401";

    /** What the command line gave; null where a flag was not given. */
    record Flags(String endpoint, Path ca, Path cert, Path key) {
    }

    /** The settings file's keys; a relative path is relative to the file's directory. */
    record FileSettings(@JsonProperty("endpoint") String endpoint, @JsonProperty("ca") String ca,
                        @JsonProperty("cert") String cert, @JsonProperty("key") String key) {
        static final FileSettings NONE = new FileSettings(null, null, null, null);
    }

    /** The settings file's usual place for this environment. */
    static Path defaultFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("baton").resolve("batonctl.yaml");
    }

    /** The settings in {@code file}, or none if it does not exist; a broken file is one line naming it. */
    static FileSettings readFile(Path file) {
        if (!Files.exists(file)) {
            return FileSettings.NONE;
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            FileSettings read = yaml.readValue(file.toFile(), FileSettings.class);
            return read == null ? FileSettings.NONE : read;
        } catch (UnrecognizedPropertyException e) {
            throw new CtlException(file + ": unknown key '" + e.getPropertyName() + "'; allowed keys: endpoint, ca, cert, key");
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new CtlException(file + ": cannot read it: " + reason);
        }
    }

    static CtlSettings resolve(Flags flags, Map<String, String> env, Path file, FileSettings fromFile) {
        Path base = file.toAbsolutePath().getParent();
        String endpoint = first(flags.endpoint(), env.get("BATON_ENDPOINT"), fromFile.endpoint());
        List<Endpoint> endpoints;
        try {
            endpoints = Endpoint.parseList(endpoint == null ? DEFAULT_ENDPOINT : endpoint);
        } catch (IllegalArgumentException e) {
            String source = flags.endpoint() != null ? "--endpoint" : env.get("BATON_ENDPOINT") != null
                    ? "BATON_ENDPOINT" : file + ": endpoint";
            throw new CtlException(source + ": " + e.getMessage());
        }
        Path ca = path(flags.ca(), env.get("BATON_CA"), fromFile.ca(), base);
        Path cert = path(flags.cert(), env.get("BATON_CERT"), fromFile.cert(), base);
        Path key = path(flags.key(), env.get("BATON_KEY"), fromFile.key(), base);
        if (ca == null && cert == null && key == null) {
            return new CtlSettings(endpoints, Optional.empty());
        }
        List<String> missing = new ArrayList<>();
        if (ca == null) {
            missing.add("--ca (BATON_CA)");
        }
        if (cert == null) {
            missing.add("--cert (BATON_CERT)");
        }
        if (key == null) {
            missing.add("--key (BATON_KEY)");
        }
        if (!missing.isEmpty()) {
            throw new CtlException("TLS needs the CA, a certificate and its key together; missing: "
                    + String.join(", ", missing));
        }
        return new CtlSettings(endpoints, Optional.of(new TlsConfig.Files(ca, cert, key)));
    }

    private static Path path(Path flag, String env, String fromFile, Path base) {
        if (flag != null) {
            return flag;
        }
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if (fromFile != null && !fromFile.isBlank()) {
            Path p = Path.of(fromFile);
            return p.isAbsolute() || base == null ? p : base.resolve(p);
        }
        return null;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
