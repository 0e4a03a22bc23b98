/**
 * Out of Office (MS-ASCMD 2.2.3.122): the settings a phone reads and writes ({@link dev.easgate.backends.oof.OofSettings})
 * and the SPI of whatever keeps them and sends the replies ({@link dev.easgate.backends.oof.OutOfOfficeStore}).
 */
package dev.easgate.backends.oof;
