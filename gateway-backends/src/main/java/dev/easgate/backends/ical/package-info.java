/**
 * iCalendar (RFC 5545) values that both the CalDAV store and the reading of iMIP meeting mails turn into Exchange
 * ActiveSync fields: one reading of an RRULE for Calendar, Tasks and Email meeting requests.
 */
package dev.easgate.backends.ical;
