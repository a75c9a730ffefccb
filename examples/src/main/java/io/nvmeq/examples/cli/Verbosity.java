package io.nvmeq.examples.cli;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/**
 * How much the {@code nvmeq} command logs on stderr: warnings and errors by default (a command's result is its
 * output, not its log), errors only with {@code -q}, nvmeq's progress with {@code -v}, nvmeq's debug detail with
 * {@code -vv}, and Akka's too with {@code -vvv}.
 */
final class Verbosity
{
    private Verbosity()
    {
    }

    /**
     * Sets the log levels of nvmeq and of Akka for one run of the command line.
     *
     * @param quiet   {@code -q}: errors only
     * @param verbose how many times {@code -v} was given
     */
    static void apply(final boolean quiet, final int verbose)
    {
        final Level nvmeq;
        final Level akka;
        if (quiet)
        {
            nvmeq = Level.ERROR;
            akka = Level.ERROR;
        }
        else
        {
            nvmeq = verbose <= 0 ? Level.WARN : verbose == 1 ? Level.INFO : Level.DEBUG;
            akka = verbose >= 3 ? Level.DEBUG : Level.WARN;
        }
        level("io.nvmeq", nvmeq);
        level("akka", akka);
        level(Logger.ROOT_LOGGER_NAME, quiet ? Level.ERROR : Level.WARN);
    }

    private static void level(final String name, final Level level)
    {
        if (LoggerFactory.getLogger(name) instanceof Logger logger)
        {
            logger.setLevel(level);
        }
    }
}
