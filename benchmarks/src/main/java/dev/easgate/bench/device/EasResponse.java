package dev.easgate.bench.device;

import dev.easgate.wbxml.WbxmlElement;

/** One HTTP answer of an EAS server: the status, the decoded WBXML body ({@code null} when empty or not WBXML). */
public record EasResponse(int httpStatus, WbxmlElement body) {

    /** The text of a child of the root element, e.g. {@code text("Status")}, or {@code null}. */
    public String text(String child) {
        return body == null ? null : body.childText(child);
    }

    public boolean ok() {
        return httpStatus == 200;
    }
}
