/** ValidateCert (MS-ASCMD 2.2.1.22): PKIX validation of S/MIME certificates against a configured trust store. */
package dev.easgate.core.command.validatecert;
