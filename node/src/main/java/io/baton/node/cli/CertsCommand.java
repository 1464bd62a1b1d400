package io.baton.node.cli;

import io.baton.node.admin.NameRule;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigException;
import io.baton.node.config.ConfigLoader;
import io.baton.node.config.NodeConfig;
import io.baton.node.security.CertificateAuthority;
import io.baton.node.security.CertificateException;
import io.baton.node.security.Issued;
import io.baton.node.security.NodeIdentity;
import io.baton.node.security.PemFiles;
import io.baton.node.security.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code batonctl certs init|issue}: the cluster's CA and its certificates, made locally (no node is
 * contacted). {@code init} is safe to run again: it keeps the CA and the node certificates already in
 * the directory and issues only what is missing, e.g. for a node added to the cluster file.
 */
@Command(name = "certs", mixinStandardHelpOptions = true, description = "The cluster's CA and its node and operator certificates.",
        subcommands = {CertsCommand.Init.class, CertsCommand.Issue.class})
final class CertsCommand implements Callable<Integer> {
    static final String CA = "ca";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    @ParentCommand
    BatonCtl ctl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Write ca.crt and ca.key and, for every node of the cluster file, NODE.crt and NODE.key.",
                    "A CA or node certificate already in the directory is kept; only what is missing is written.",
                    "Keep ca.key off the nodes: it is needed only to issue certificates."})
    static final class Init implements Callable<Integer> {
        @ParentCommand
        CertsCommand parent;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster file.")
        Path config;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the files go (created if missing).")
        Path out;

        @Option(names = "--days", paramLabel = "N", defaultValue = "825", converter = Days.class,
                description = "Validity of the node certificates, in days (default: ${DEFAULT-VALUE}).")
        Duration validity;

        @Option(names = "--ca-days", paramLabel = "N", defaultValue = "3650", converter = Days.class,
                description = "Validity of a new CA, in days (default: ${DEFAULT-VALUE}).")
        Duration caValidity;

        @Override
        public Integer call() {
            ClusterConfig cluster;
            try {
                cluster = ConfigLoader.load(config);
            } catch (ConfigException e) {
                throw new CtlException(e.getMessage());
            }
            PrintStream print = parent.ctl.out();
            Instant now = Instant.now();
            createDirectory(out);
            CertificateAuthority ca = existingCa(out);
            if (ca == null) {
                ca = CertificateAuthority.create(cluster.name(), caValidity, now);
                write(out, CA, ca.ca());
                print.println("created CA for cluster " + cluster.name() + " " + files(out, CA) + until(ca.ca().certificate())
                        + "; keep ca.key off the nodes");
            } else {
                print.println("kept CA " + files(out, CA) + until(ca.ca().certificate()));
            }
            for (NodeConfig node : cluster.nodes()) {
                if (Files.exists(out.resolve(node.id() + ".crt")) || Files.exists(out.resolve(node.id() + ".key"))) {
                    print.println("kept " + node.id() + " " + files(out, node.id()));
                    continue;
                }
                Set<String> hosts = new LinkedHashSet<>();
                hosts.add(node.raft().host());
                hosts.add(node.admin().host());
                if (node.mirror() != null) {
                    hosts.add(node.mirror().host());
                }
                Issued issued = ca.issueNode(node.id(), hosts, validity, now);
                write(out, node.id(), issued);
                print.println("issued " + node.id() + " " + files(out, node.id()) + " for " + String.join(", ", hosts) + ", "
                        + NodeIdentity.uri(node.id()) + until(issued.certificate()));
            }
            return 0;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Write NAME.crt and NAME.key: an operator's client certificate with its role, signed by the CA in --ca-dir.")
    static final class Issue implements Callable<Integer> {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

        @ParentCommand
        CertsCommand parent;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Who the certificate is for, e.g. alice.")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", converter = RoleConverter.class,
                description = "viewer (read), operator (also move, start, stop, maintenance, clear) or admin (also force-activate, certificates, membership).")
        Role role;

        @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "Where ca.crt and ca.key are.")
        Path caDir;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the files go (created if missing).")
        Path out;

        @Option(names = "--days", paramLabel = "N", defaultValue = "365", converter = Days.class,
                description = "Validity in days (default: ${DEFAULT-VALUE}).")
        Duration validity;

        @Option(names = "--force", description = "Replace NAME.crt and NAME.key if they exist.")
        boolean force;

        @Override
        public Integer call() {
            if (!NAME.matcher(name).matches() || name.equals(CA)) {
                throw new ParameterException(parent.spec.commandLine(), "--name " + NameRule.preview(name)
                        + ": use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit, and not 'ca'");
            }
            CertificateAuthority ca = existingCa(caDir);
            if (ca == null) {
                throw new CtlException(caDir.resolve("ca.crt") + ": no CA here; create one with 'batonctl certs init'");
            }
            createDirectory(out);
            if (!force && (Files.exists(out.resolve(name + ".crt")) || Files.exists(out.resolve(name + ".key")))) {
                throw new CtlException(out.resolve(name + ".crt") + " already exists; use --force to replace it");
            }
            Issued issued = ca.issueOperator(name, role, validity, Instant.now());
            write(out, name, issued);
            parent.ctl.out().println("issued " + name + " (" + role.id() + ") " + files(out, name) + until(issued.certificate()));
            return 0;
        }
    }

    /** The CA in {@code dir}, or null if there is none; refused when only half of it is there or it does not load. */
    static CertificateAuthority existingCa(Path dir) {
        Path crt = dir.resolve(CA + ".crt");
        Path key = dir.resolve(CA + ".key");
        boolean hasCrt = Files.exists(crt);
        boolean hasKey = Files.exists(key);
        if (!hasCrt && !hasKey) {
            return null;
        }
        if (hasCrt != hasKey) {
            throw new CtlException((hasCrt ? key : crt) + ": missing (the CA needs both ca.crt and ca.key)");
        }
        try {
            Issued issued = PemFiles.read(crt, key);
            if (issued.certificate().getBasicConstraints() < 0) {
                throw new CtlException(crt + ": not a CA certificate");
            }
            return CertificateAuthority.of(issued);
        } catch (CertificateException e) {
            throw new CtlException(e.getMessage());
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CtlException(dir + ": cannot create the directory (" + e.getMessage() + ")");
        }
    }

    private static void write(Path dir, String name, Issued issued) {
        try {
            PemFiles.write(dir, name, issued);
        } catch (IOException e) {
            throw new CtlException(dir.resolve(name + ".key") + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static String files(Path dir, String name) {
        return dir.resolve(name + ".crt") + " " + dir.resolve(name + ".key");
    }

    private static String until(X509Certificate certificate) {
        return ", valid until " + DAY.format(certificate.getNotAfter().toInstant());
    }

    /** A whole number of days, 1 to 36500. */
    static final class Days implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                long days = Long.parseLong(value.trim());
                if (days >= 1 && days <= 36_500) {
                    return Duration.ofDays(days);
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new TypeConversionException(NameRule.preview(value) + " is not a number of days from 1 to 36500");
        }
    }

    static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            return Role.fromId(value.trim().toLowerCase(java.util.Locale.ROOT)).orElseThrow(() ->
                    new TypeConversionException(NameRule.preview(value) + " is not a role; use one of " + Role.ids()));
        }
    }
}
