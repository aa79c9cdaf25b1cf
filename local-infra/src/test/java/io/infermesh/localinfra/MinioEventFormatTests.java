package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MinioEventFormatTests {

    @Test
    void encodesKeysLikeGoQueryEscape() {
        assertThat(MinioEventFormat.encodeKey("a/b c+d")).isEqualTo("a%2Fb+c%2Bd");
        assertThat(MinioEventFormat.encodeKey("AZaz09-_.~")).isEqualTo("AZaz09-_.~");
        assertThat(MinioEventFormat.encodeKey("ü€")).isEqualTo("%C3%BC%E2%82%AC");
        assertThat(MinioEventFormat.encodeKey("*'()!&=?#%:@,;$"))
                .isEqualTo("%2A%27%28%29%21%26%3D%3F%23%25%3A%40%2C%3B%24");
        assertThat(MinioEventFormat.encodeKey("😀")).isEqualTo("%F0%9F%98%80");
    }

    @Test
    void sequencerIsSixteenUpperCaseHexDigits() {
        assertThat(MinioEventFormat.sequencer(0x17A5B3C2D1E0F123L)).isEqualTo("17A5B3C2D1E0F123");
        assertThat(MinioEventFormat.sequencer(1)).isEqualTo("0000000000000001");
    }

    @Test
    void userMetadataKeysAreCanonicalHeaderNames() {
        assertThat(MinioEventFormat.canonicalUserMetadata(Map.of("model-name", "x", "SHA", "y")))
                .containsExactly(Map.entry("X-Amz-Meta-Model-Name", "x"), Map.entry("X-Amz-Meta-Sha", "y"));
    }

    @Test
    void eTagQuotesAreStripped() {
        assertThat(MinioEventFormat.stripQuotes("\"abc-2\"")).isEqualTo("abc-2");
        assertThat(MinioEventFormat.stripQuotes("abc")).isEqualTo("abc");
        assertThat(MinioEventFormat.stripQuotes(null)).isEmpty();
    }
}
