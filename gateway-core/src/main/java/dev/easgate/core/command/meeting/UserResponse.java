package dev.easgate.core.command.meeting;

/**
 * MS-ASCMD 2.2.3.194 UserResponse with what each answer means for the attendee's calendar item (MS-ASCAL
 * ResponseType 2.2.2.38, BusyStatus 2.2.2.9) and for the iTIP reply (RFC 5545 3.2.12 PARTSTAT).
 */
public enum UserResponse {
    ACCEPTED(1, 3, 2, "ACCEPTED", "Accepted"),
    TENTATIVE(2, 2, 1, "TENTATIVE", "Tentative"),
    DECLINED(3, 4, 0, "DECLINED", "Declined");

    private final int code;
    private final int responseType;
    private final int busyStatus;
    private final String partStat;
    private final String subjectPrefix;

    UserResponse(int code, int responseType, int busyStatus, String partStat, String subjectPrefix) {
        this.code = code;
        this.responseType = responseType;
        this.busyStatus = busyStatus;
        this.partStat = partStat;
        this.subjectPrefix = subjectPrefix;
    }

    public int code() {
        return code;
    }

    /** MS-ASCAL ResponseType: 2 tentative, 3 accepted, 4 declined. */
    public int responseType() {
        return responseType;
    }

    /** MS-ASCAL BusyStatus: 0 free, 1 tentative, 2 busy. */
    public int busyStatus() {
        return busyStatus;
    }

    /** The ATTENDEE's PARTSTAT in the REPLY. */
    public String partStat() {
        return partStat;
    }

    /** The reply's subject prefix, as Exchange and Outlook write it. */
    public String subjectPrefix() {
        return subjectPrefix;
    }

    /** The response of a UserResponse value, or {@code null} when it is not 1, 2 or 3. */
    public static UserResponse of(String value) {
        if (value == null) {
            return null;
        }
        for (UserResponse response : values()) {
            if (Integer.toString(response.code).equals(value.trim())) {
                return response;
            }
        }
        return null;
    }
}
