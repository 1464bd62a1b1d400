/**
 * The web console on a node's HTTP port ({@code /}): the cluster, its groups and recent events,
 * refreshed every second, with move / start / stop / maintenance buttons that ask for confirmation
 * and are checked against the caller's role as the admin port checks batonctl's calls. HTML is
 * rendered on the server ({@link io.baton.node.console.ConsolePages}); console.js and console.css
 * are shipped in the jar; nothing is fetched from elsewhere. Sign-in: {@code batonctl console}.
 */
package io.baton.node.console;
