package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameRuleTest {
    private static final String RULE = "names are at most 256 bytes of printable characters";

    @Test
    void ordinaryNamesPass() {
        for (String name : List.of("web", "server-1.zone_a", "", "base de données", "ウェブ", "a b", "\uD83D\uDE80")) {
            assertNull(NameRule.problem("group", name), name);
        }
        assertNull(NameRule.problem("group", "web", "node", "server2"));
    }

    @Test
    void theLimitIsInUtf8Bytes() {
        assertNull(NameRule.problem("group", "a".repeat(256)));
        assertEquals("group name of 257 bytes ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'... (225 more characters)) is too long; "
                + RULE, NameRule.problem("group", "a".repeat(257)));
        // é is 2 bytes: 128 of them are 256 bytes, 129 are too many.
        assertNull(NameRule.problem("node", "é".repeat(128)));
        assertTrue(NameRule.problem("node", "é".repeat(129)).startsWith("node name of 258 bytes ("));
    }

    @Test
    void controlFormatAndBidiCharactersAreRefused() {
        int[] refused = {0x00, 0x07, 0x0B, 0x1B, 0x7F, 0x85, 0x9B, 0xAD, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029,
            0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0xE000, 0xD800};
        for (int c : refused) {
            String name = "we" + new String(Character.toChars(c)) + "b";
            String problem = NameRule.problem("group", name);
            assertEquals(String.format("group name 'we%sb' has an unprintable character (U+%04X) at position 3; %s",
                    String.format("\\u%04X", c), c, RULE), problem);
        }
    }

    @Test
    void theFirstBadNameIsTheOneNamed() {
        assertEquals("node name 'a\\tb' has an unprintable character (U+0009) at position 2; " + RULE,
                NameRule.problem("group", "web", "node", "a\tb", "node", "x\ny"));
    }

    @Test
    void aPreviewIsShortQuotedAndEscaped() {
        assertEquals("'it\\'s a\\\\b\\n\\u001B[2J'", NameRule.preview("it's a\\b\n\u001b[2J"));
        assertEquals("'" + "x".repeat(32) + "'... (68 more characters)", NameRule.preview("x".repeat(100)));
        assertEquals("'\\U0E0001'", NameRule.preview(new String(Character.toChars(0xE0001))));
    }
}
