/**
 * iMIP (RFC 6047) and iTIP (RFC 5546) meeting messages: reading the invitation a mail carries into a small record
 * with its real times (IANA, Windows and custom VTIMEZONE zone names), and the identifiers Exchange ActiveSync
 * derives from it (MS-ASEMAIL GlobalObjId, the EAS time zone, the recurrence pattern).
 */
package dev.easgate.backends.imip;
