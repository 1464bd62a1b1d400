package io.baton.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {

    @Test
    void countsInsertionsDeletionsSubstitutionsAndAdjacentSwapsAsOneEditEach() {
        assertEquals(0, DidYouMean.editDistance("web", "web"));
        assertEquals(1, DidYouMean.editDistance("webb", "web"));
        assertEquals(1, DidYouMean.editDistance("we", "web"));
        assertEquals(1, DidYouMean.editDistance("wab", "web"));
        assertEquals(1, DidYouMean.editDistance("wbe", "web"));
        assertEquals(1, DidYouMean.editDistance("laese", "lease"));
        assertEquals(2, DidYouMean.editDistance("ewb", "bwe"), "two substitutions");
        assertEquals(3, DidYouMean.editDistance("", "web"));
    }

    @Test
    void suggestsTheFirstCandidateCloseEnoughForItsLength() {
        List<String> groups = List.of("web", "db", "mirror-a", "mirror-b");
        assertEquals("web", DidYouMean.closest("wbe", groups));
        assertEquals("db", DidYouMean.closest("bd", groups));
        assertEquals("mirror-a", DidYouMean.closest("miror-x", groups), "two edits for a longer name; the first of equals");
        assertNull(DidYouMean.closest("wxx", groups), "two edits from a short name is no hint");
        assertNull(DidYouMean.closest("cache", groups));
    }
}
