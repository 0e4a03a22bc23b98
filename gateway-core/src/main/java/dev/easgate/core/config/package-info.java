/** The gateway's configuration: option definitions, the validated value, and the file/env/flag loader. */
package dev.easgate.core.config;
