package io.baton.node.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of the cluster file a node loaded, in hex: every node reports it in its heartbeats, and
 * {@code batonctl status} says "mismatch" when two nodes loaded different files (a comment counts: the
 * files are meant to be copies of one another).
 */
public final class ConfigFingerprint {
    private ConfigFingerprint() {}

    /** The hash of {@code bytes}. */
    public static String of(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The first 12 hex digits: enough to tell files apart in a status line. */
    public static String shortForm(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }
}
