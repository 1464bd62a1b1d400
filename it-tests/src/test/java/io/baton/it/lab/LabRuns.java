package io.baton.it.lab;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/** Runs each {@link LabTest} {@code -Dlab.repeat} times (default 1), for outage statistics. */
final class LabRuns implements TestTemplateInvocationContextProvider {
    /** The index (from 1) of this run of the scenario, and how many there are. */
    record Run(int index, int of) {}

    static int repeat() {
        return Math.max(1, Integer.getInteger("lab.repeat", 1));
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        int n = repeat();
        return IntStream.rangeClosed(1, n).mapToObj(i -> new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return "run " + i + "/" + n;
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                return List.of(new ParameterResolver() {
                    @Override
                    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
                        return p.getParameter().getType() == Run.class;
                    }

                    @Override
                    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
                        return new Run(i, n);
                    }
                });
            }
        });
    }
}
