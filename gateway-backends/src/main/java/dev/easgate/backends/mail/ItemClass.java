package dev.easgate.backends.mail;

/** The EAS item classes (AirSync Class values). */
public enum ItemClass {
    EMAIL("Email"),
    CONTACTS("Contacts"),
    CALENDAR("Calendar"),
    TASKS("Tasks"),
    NOTES("Notes");

    private final String easName;

    ItemClass(String easName) {
        this.easName = easName;
    }

    /** The value of the AirSync Class element. */
    public String easName() {
        return easName;
    }

    public static ItemClass ofEasName(String name) {
        for (ItemClass itemClass : values()) {
            if (itemClass.easName.equals(name)) {
                return itemClass;
            }
        }
        throw new IllegalArgumentException("unknown EAS class '" + name + "'");
    }
}
