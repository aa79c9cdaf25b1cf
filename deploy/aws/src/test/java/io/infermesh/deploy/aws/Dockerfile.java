package io.infermesh.deploy.aws;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parts of the Batch image's Dockerfile a test can run without Docker: its {@code ENTRYPOINT} (exec form) and
 * its {@code ENV}, with the image's directory ({@code /app}) replaced by where its content is on this machine.
 */
record Dockerfile(List<String> entrypoint, Map<String, String> env) {

    private static final Pattern ENV = Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)");

    static Dockerfile read(Path file, String imageDir, String localDir) throws IOException {
        String text = Files.readString(file).replace("\\\n", " ");
        List<String> entrypoint = null;
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip().replace(imageDir, localDir);
            if (l.startsWith("ENTRYPOINT ")) {
                entrypoint = List.of(JsonMapper.builder().build().readValue(l.substring(11), String[].class));
            } else if (l.startsWith("ENV ")) {
                Matcher m = ENV.matcher(l.substring(4));
                while (m.find()) {
                    env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                }
            }
        }
        if (entrypoint == null) {
            throw new IllegalStateException(file + " has no exec-form ENTRYPOINT");
        }
        return new Dockerfile(entrypoint, env);
    }
}
