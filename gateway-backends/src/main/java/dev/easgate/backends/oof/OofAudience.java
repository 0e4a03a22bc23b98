package dev.easgate.backends.oof;

/** Who an Out of Office message answers (MS-ASCMD 2.2.3.8-2.2.3.10), named as the EAS element that says so. */
public enum OofAudience {
    INTERNAL("AppliesToInternal"),
    EXTERNAL_KNOWN("AppliesToExternalKnown"),
    EXTERNAL_UNKNOWN("AppliesToExternalUnknown");

    private final String element;

    OofAudience(String element) {
        this.element = element;
    }

    /** The EAS element naming this audience. */
    public String element() {
        return element;
    }

    /** The audience an element names, or {@code null}. */
    public static OofAudience ofElement(String name) {
        for (OofAudience audience : values()) {
            if (audience.element.equals(name)) {
                return audience;
            }
        }
        return null;
    }
}
