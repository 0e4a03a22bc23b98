/**
 * MeetingResponse (MS-ASCMD 2.2.1.11): accepting, tentatively accepting or declining a meeting request email
 * (iTIP/iMIP REQUEST, RFC 5546/6047) or a calendar item, with the attendee's calendar item kept in step and, in
 * 16.x when asked, the iMIP REPLY sent to the organizer through the outgoing-mail port.
 */
package dev.easgate.core.command.meeting;
