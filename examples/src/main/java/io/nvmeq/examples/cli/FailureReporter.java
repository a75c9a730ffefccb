package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.nvmeq.engine.NvmeException;
import io.nvmeq.examples.io.Await;
import io.nvmeq.hw.device.BadDeviceUriException;
import io.nvmeq.hw.device.DeviceUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception out of a subcommand into one line on stderr, {@code nvmeq: <what went wrong>}, and
 * {@link ExitCodes#FAILED} ({@link ExitCodes#USAGE} for a bad device URI). A message may carry help after its first
 * line (a bad device URI lists the accepted forms); the causes' own messages that it does not already contain are
 * appended to it, so that the reason the operating system gave ("Is a directory") is on that line too. Expected
 * failures (the library's typed errors, I/O errors, bad input) print no stack trace; anything else is a defect in
 * nvmeq, so its stack trace follows.
 */
final class FailureReporter implements IExecutionExceptionHandler
{
    @Override
    public int handleExecutionException(
        final Exception ex, final CommandLine commandLine, final ParseResult parseResult)
    {
        final Throwable failure = unwrap(ex);
        final PrintWriter err = commandLine.getErr();
        err.println("nvmeq: " + withCauses(failure));
        if (!expected(failure))
        {
            failure.printStackTrace(err);
        }
        err.flush();
        return failure instanceof BadDeviceUriException ? ExitCodes.USAGE : ExitCodes.FAILED;
    }

    /**
     * {@link #describe} of {@code failure}, then what each cause adds: its reason when the message so far does not
     * contain it already. Only the first line of the message is extended; help after it stays last.
     */
    static String withCauses(final Throwable failure)
    {
        final String description = describe(failure);
        final int firstLineEnd = description.indexOf('\n');
        final StringBuilder line = new StringBuilder(firstLineEnd < 0 ? description : description.substring(0, firstLineEnd));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause())
        {
            final String reason = cause instanceof FileSystemException fs && fs.getReason() != null ?
                fs.getReason() : cause.getMessage();
            if (reason != null && !reason.isBlank() && line.indexOf(reason) < 0)
            {
                line.append(": ").append(reason);
            }
        }
        return firstLineEnd < 0 ? line.toString() : line + description.substring(firstLineEnd);
    }

    /**
     * The failure to report: wrappers ({@link CompletionException} and the like) are peeled off, and a device
     * that could not be opened is reported by its own typed error, which says why and what to do, rather than
     * by the bring-up failure that carries it.
     */
    static Throwable unwrap(final Throwable ex)
    {
        Throwable failure = ex;
        while ((failure instanceof CompletionException || failure instanceof ExecutionException ||
            failure instanceof UncheckedIOException) && failure.getCause() != null)
        {
            failure = failure.getCause();
        }
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause())
        {
            if (cause instanceof BadDeviceUriException || cause instanceof DeviceUnavailableException)
            {
                return cause;
            }
        }
        return failure;
    }

    static boolean expected(final Throwable failure)
    {
        return failure instanceof NvmeException ||
            failure instanceof CliFailure ||
            failure instanceof DeviceUnavailableException ||
            failure instanceof Await.OperationTimedOutException ||
            failure instanceof IOException ||
            failure instanceof IllegalArgumentException;
    }

    static String describe(final Throwable failure)
    {
        if (failure instanceof NoSuchFileException)
        {
            return "No such file: " + ((NoSuchFileException)failure).getFile();
        }
        if (failure instanceof AccessDeniedException)
        {
            return "Permission denied: " + ((AccessDeniedException)failure).getFile();
        }
        if (failure instanceof FileAlreadyExistsException)
        {
            return "File exists: " + ((FileAlreadyExistsException)failure).getFile();
        }
        final String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}
