package io.baton.node.cli;

import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Value of {@code --endpoint HOST:PORT[,HOST:PORT...]}: endpoints in the order they are tried. */
record EndpointList(List<Endpoint> endpoints) {

    EndpointList {
        endpoints = List.copyOf(endpoints);
    }

    @Override
    public String toString() {
        return String.join(",", endpoints.stream().map(Endpoint::toString).toList());
    }

    /** picocli converter; a malformed list is a usage error. */
    static final class Converter implements ITypeConverter<EndpointList> {
        @Override
        public EndpointList convert(String value) {
            try {
                return new EndpointList(Endpoint.parseList(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
