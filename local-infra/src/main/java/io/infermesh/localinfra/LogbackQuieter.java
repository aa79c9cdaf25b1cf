package io.infermesh.localinfra;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggerContextListener;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The Logback half of {@link QuietLogging}; only loaded when Logback is the SLF4J backend. */
final class LogbackQuieter implements LoggerContextListener {

    private final List<String> loggers;

    private LogbackQuieter(List<String> loggers) {
        this.loggers = loggers;
    }

    static void install(List<String> loggers) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogbackQuieter quieter = new LogbackQuieter(loggers);
        quieter.quiet(context);
        context.addListener(quieter);
    }

    private void quiet(LoggerContext context) {
        for (String name : loggers) {
            Logger logger = context.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARN);
            }
        }
    }

    @Override
    public boolean isResetResistant() {
        return true;
    }

    @Override
    public void onStart(LoggerContext context) {
        // nothing to do
    }

    @Override
    public void onReset(LoggerContext context) {
        // A reset clears every level; configuration applied after it still overrides these defaults.
        quiet(context);
    }

    @Override
    public void onStop(LoggerContext context) {
        // nothing to do
    }

    @Override
    public void onLevelChange(Logger logger, Level level) {
        // nothing to do
    }
}
