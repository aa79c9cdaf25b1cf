package io.infermesh.deploy.aws;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the Lambda Java runtime does in a fresh execution environment, in a fresh JVM whose class path is only the
 * unpacked Lambda zip (and this class): resolve the function's handler string ({@code class::method}), construct the
 * class with its no-argument constructor (configuration from the environment), then run the first invocation (a
 * stream handler; no {@code Context}, which the handler does not use). Prints one line: {@code jvmStartMs=… initMs=…
 * firstInvocationMs=… result=…}, or {@code error=…} and exits 1. {@link LambdaArtefactTests} starts it. Only the JDK is
 * used here, so a class the zip lacks fails as it would on Lambda.
 */
final class ColdStartProbe {

    private ColdStartProbe() {}

    /** {@code args}: the handler string, the invocation's payload (JSON). */
    public static void main(String[] args) throws Exception {
        long jvmStartMs = ManagementFactory.getRuntimeMXBean().getUptime();
        String[] handler = args[0].split("::");
        long t0 = System.nanoTime();
        Class<?> type = Class.forName(handler[0]);
        Object instance = type.getConstructor().newInstance();
        long t1 = System.nanoTime();
        Method method = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(handler[1]) && m.getParameterCount() == 3)
                .filter(m -> m.getParameterTypes()[0] == InputStream.class)
                .filter(m -> m.getParameterTypes()[1] == OutputStream.class)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no stream handler method " + args[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            method.invoke(instance, new ByteArrayInputStream(args[1].getBytes(StandardCharsets.UTF_8)), out, null);
        } catch (InvocationTargetException e) {
            System.out.println("error=" + e.getCause());
            System.exit(1);
        }
        long t2 = System.nanoTime();
        System.out.println("jvmStartMs=" + jvmStartMs + " initMs=" + (t1 - t0) / 1_000_000 + " firstInvocationMs="
                + (t2 - t1) / 1_000_000 + " result=" + out.toString(StandardCharsets.UTF_8));
    }
}
