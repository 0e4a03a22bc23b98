/** TLS on the gateway's own listener: PEM certificate and key, TLS 1.2+, reloaded when the files change. */
package dev.easgate.core.tls;
