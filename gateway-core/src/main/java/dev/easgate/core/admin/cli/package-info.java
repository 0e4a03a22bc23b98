/** The {@code eas-admin} command line client of the admin API ({@code bin/eas-admin}). */
package dev.easgate.core.admin.cli;
