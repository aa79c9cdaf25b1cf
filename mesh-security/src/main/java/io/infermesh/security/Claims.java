package io.infermesh.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Reading a token's claims the way every part of the mesh reads them (resource servers and the gateway's login). */
public final class Claims {

    private Claims() {}

    /** A claim by name, or by a dotted path into nested objects ({@code realm_access.roles}) when none has the name. */
    public static Object at(Map<String, Object> claims, String path) {
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        Object current = claims;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    /** A claim's strings: itself if it is one, the strings of a list, nothing otherwise. */
    public static List<String> strings(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof Collection<?> c) {
            return c.stream()
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .toList();
        }
        return List.of();
    }
}
