/** The composition root and the runnable main: builds backends, handlers and the HTTP front from configuration. */
package dev.easgate.core.server;
