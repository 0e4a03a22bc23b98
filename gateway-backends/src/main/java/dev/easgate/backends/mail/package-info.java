/**
 * The mail store SPI: a user's folders and items of every EAS class (email as MIME, contacts, calendar, tasks and
 * notes as EAS ApplicationData), with change tracking by a per-folder modification sequence.
 */
@NonNullApi
package dev.easgate.backends.mail;

import reactor.util.annotation.NonNullApi;
