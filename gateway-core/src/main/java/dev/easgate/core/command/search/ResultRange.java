package dev.easgate.core.command.search;

/**
 * A Range "m-n" of Search and Find (MS-ASCMD 2.2.3.143.3, 2.2.3.143.1): zero-based, both ends inclusive.
 *
 * @param first the first result
 * @param last  the last result asked for
 */
public record ResultRange(int first, int last) {
    /** The default of Search (MS-ASCMD 2.2.3.143.3: 0-99 for Mailbox and GAL) and Find. */
    public static final ResultRange DEFAULT = new ResultRange(0, 99);

    /** The range written in {@code text}, or {@code null} when it is not "m-n" with 0 <= m <= n. */
    public static ResultRange parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        int dash = t.indexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            int first = Integer.parseInt(t.substring(0, dash).strip());
            int last = Integer.parseInt(t.substring(dash + 1).strip());
            return first < 0 || last < first ? null : new ResultRange(first, last);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** How many results the range asks for. */
    public int size() {
        return last - first + 1;
    }

    /** The range actually returned out of {@code total} results, or {@code null} when none is. */
    public ResultRange within(int total) {
        if (first >= total) {
            return null;
        }
        return new ResultRange(first, Math.min(last, total - 1));
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
