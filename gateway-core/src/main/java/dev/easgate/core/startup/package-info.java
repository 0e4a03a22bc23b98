/**
 * A clear start: each configured backend (IMAP, SMTP, DAV, LDAP, Redis) is contacted once, all in parallel and
 * bounded in time, and the log says in one line per backend which do not answer and why. The node starts anyway
 * unless {@code --fail-fast}.
 */
package dev.easgate.core.startup;
