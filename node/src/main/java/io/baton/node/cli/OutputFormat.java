package io.baton.node.cli;

/** Value of {@code --output}. Lower-case constants so that usage help shows the accepted spelling. */
enum OutputFormat {
    table,
    json
}
