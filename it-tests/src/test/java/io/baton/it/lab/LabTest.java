package io.baton.it.lab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lab scenario, run {@code -Dlab.repeat=N} times (default once); the method may take a {@link LabRuns.Run}
 * parameter naming the run.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(LabRuns.class)
@interface LabTest {}
