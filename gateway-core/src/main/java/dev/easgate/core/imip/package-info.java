/**
 * iMIP (RFC 6047) messages the gateway sends for an organizer, as Exchange does for 16.x clients: a change of a
 * meeting with attendees through Sync sends them the updated REQUEST, a deletion (or removing an attendee) a
 * CANCEL (RFC 5546 3.2.2, 3.2.5).
 */
package dev.easgate.core.imip;
