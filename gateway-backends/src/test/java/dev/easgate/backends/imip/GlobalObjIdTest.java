package dev.easgate.backends.imip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class GlobalObjIdTest {

    /** MS-ASEMAIL 4.3 example 2: a vCal UID and its GlobalObjId. */
    @Test
    void aVCalUidIsWrappedAsTheSpecificationsExampleShows() {
        assertThat(GlobalObjId.base64("{81412D3C-2A24-4E9D-B20E-11F7BBE92799}")).isEqualTo(
                "BAAAAIIA4AB0xbcQGoLgCAAAAAAAAAAAAAAAAAAAAAAAAAAAMwAAAHZDYWwtVWlkAQAAAHs4MTQxMkQzQy0yQTI0"
                        + "LTRFOUQtQjIwRS0xMUY3QkJFOTI3OTl9AA==");
    }

    /** MS-ASEMAIL 4.3 example 1: an Outlook id's UID is its hex form (instance date zeroed), and back. */
    @Test
    void anOutlookUidIsTheIdentifiersBytes() {
        String uid = "040000008200E00074C5B7101A82E00800000000E040C9C12685C4010000000000000000100000000BF0ED4B6E4EE94E"
                + "9E39E3867B378EF3";
        byte[] example = Base64.getDecoder().decode(
                "BAAAAIIA4AB0xbcQGoLgCAfUCRDgQMnBJoXEAQAAAAAAAAAAEAAAAAvw7UtuTulOnjnjhns3jvM=");

        assertThat(GlobalObjId.uid(example)).isEqualTo(uid);
        byte[] built = GlobalObjId.of(uid);
        assertThat(GlobalObjId.uid(built)).isEqualTo(uid);
        assertThat(built).hasSize(example.length);
        assertThat(built[16]).isZero();
    }

    @Test
    void theUidComesBackFromAVCalIdentifier() {
        String uid = "040000008200e00074c5b7101a82e008-not-hex@example.test";
        assertThat(GlobalObjId.uid(GlobalObjId.of(uid))).isEqualTo(uid);
        String accented = "caf\u00e9-123@example.test";
        assertThat(GlobalObjId.uid(GlobalObjId.of(accented))).isEqualTo(accented);
    }
}
