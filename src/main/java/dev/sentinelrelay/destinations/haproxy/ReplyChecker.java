package dev.sentinelrelay.destinations.haproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a runtime API reply means success, command by command. HAProxy answers each command of a
 * {@code ;}-separated line in turn, every answer ending with an empty line. Success of {@code set}, {@code add}
 * and {@code shutdown} commands is an empty answer or a known "IP changed" style sentence; failure is free text
 * (even an unknown command only gets a help text), so only known success answers are accepted.
 */
public final class ReplyChecker {

    private static final List<String> SUCCESS_PREFIXES = List.of(
            "IP changed from ", "no need to change the addr", "port changed from ");

    private ReplyChecker() {
    }

    /**
     * Returns the reply when every command succeeded; throws {@link HaproxyReplyException} naming the first
     * command whose answer is unexpected otherwise.
     */
    public static String check(String line, String reply) {
        if (reply == null) {
            throw new HaproxyReplyException(line, "no reply");
        }
        String[] commands = commands(line);
        List<List<String>> answers = answers(reply);
        for (int i = 0; i < commands.length; i++) {
            if (i >= answers.size()) {
                throw new HaproxyReplyException(commands[i], "no answer");
            }
            checkOne(commands[i], answers.get(i));
        }
        return reply;
    }

    /** The commands of a {@code ;}-separated line (values never hold {@code ;}: RuntimeCommands refuses them). */
    static String[] commands(String line) {
        return line.strip().split(";\\s*");
    }

    /**
     * Splits a reply into the answers of the commands of one line: the lines up to each empty line. Text after
     * the last newline is an answer cut short by the connection closing; nothing after it is not an answer.
     */
    static List<List<String>> answers(String reply) {
        List<List<String>> answers = new ArrayList<>();
        List<String> current = new ArrayList<>();
        String[] lines = reply.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].strip().isEmpty()) {
                answers.add(current);
                current = new ArrayList<>();
            } else {
                current.add(lines[i]);
            }
        }
        String rest = lines[lines.length - 1];
        if (!rest.isBlank()) {
            current.add(rest);
        }
        if (!current.isEmpty()) {
            answers.add(current);
        }
        return answers;
    }

    private static void checkOne(String command, List<String> answer) {
        if (command.startsWith("show servers state")) {
            if (answer.isEmpty() || !answer.get(0).strip().equals("1")) {
                throw new HaproxyReplyException(command, answer.isEmpty() ? "(empty answer)" : answer.get(0));
            }
            return;
        }
        if (command.startsWith("show map")) {
            answer.stream().filter(l -> !l.startsWith("0x")).findFirst().ifPresent(l -> {
                throw new HaproxyReplyException(command, l);
            });
            return;
        }
        for (String line : answer) {
            String text = line.strip();
            if (SUCCESS_PREFIXES.stream().noneMatch(text::startsWith)) {
                throw new HaproxyReplyException(command, text);
            }
        }
    }
}
