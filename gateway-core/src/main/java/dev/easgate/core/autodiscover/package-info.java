/** Autodiscover for mobile clients: the POX mobilesync schema and the JSON v2 endpoint Outlook mobile asks. */
package dev.easgate.core.autodiscover;
