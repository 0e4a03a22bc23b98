package dev.easgate.core.startup;

import java.net.SocketTimeoutException;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import javax.naming.AuthenticationNotSupportedException;
import javax.naming.CommunicationException;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.NoPermissionException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;

/**
 * LDAP: an anonymous read of the root DSE (RFC 4512 5.1). A server that answers but will not show it to an
 * anonymous client (no permission, anonymous binds off) still answers; "unavailable" or "busy" refuses.
 */
final class LdapProbe implements Probe {
    private final String url;

    LdapProbe(String url) {
        this.url = url;
    }

    @Override
    public String ask(long deadline) throws Exception {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        Hashtable<String, String> environment = new Hashtable<>();
        environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        environment.put(Context.PROVIDER_URL, url);
        environment.put(Context.SECURITY_AUTHENTICATION, "none");
        environment.put("com.sun.jndi.ldap.connect.timeout", Long.toString(left));
        environment.put("com.sun.jndi.ldap.read.timeout", Long.toString(left));
        environment.put("java.naming.ldap.version", "3");
        InitialDirContext context;
        try {
            context = new InitialDirContext(environment);
        } catch (CommunicationException e) {
            throw unwrap(e);
        } catch (ServiceUnavailableException e) {
            throw new ProbeRefusedException("unavailable: " + e.getMessage());
        } catch (AuthenticationNotSupportedException | NoPermissionException e) {
            return "answers (anonymous access refused)";
        } catch (NamingException e) {
            throw timedOut(e);
        }
        try {
            Attributes root = context.getAttributes("", new String[] {"supportedLDAPVersion"});
            return "root DSE read" + (root.get("supportedLDAPVersion") == null ? "" : " (LDAPv"
                    + root.get("supportedLDAPVersion").get() + ")");
        } catch (CommunicationException e) {
            throw unwrap(e);
        } catch (ServiceUnavailableException e) {
            throw new ProbeRefusedException("unavailable: " + e.getMessage());
        } catch (NamingException e) {
            timedOut(e);
            return "answers (root DSE refused: " + e.getClass().getSimpleName() + ")";
        } finally {
            context.close();
        }
    }

    /**
     * JNDI reports its read timeout as a bare NamingException ("LDAP response read timed out"): thrown as the socket
     * timeout it is; any other error is returned (an answer from the server).
     */
    private static NamingException timedOut(NamingException e) throws SocketTimeoutException {
        String message = e.getMessage();
        if (message != null && message.contains("timed out")) {
            throw new SocketTimeoutException(message);
        }
        return e;
    }

    /** JNDI wraps the socket's own failure (refused, timed out) in a CommunicationException: report that one. */
    private static Exception unwrap(CommunicationException e) {
        return e.getRootCause() instanceof Exception cause ? cause : e;
    }
}
