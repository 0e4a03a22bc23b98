/**
 * Outgoing mail: SendMail, SmartReply and SmartForward (MS-ASCMD 2.2.1.17, 2.2.1.20, 2.2.1.19) on one shared
 * {@link dev.easgate.core.command.mail.OutgoingMailService}.
 *
 * <p>Delivery goes through the {@link dev.easgate.core.command.mail.OutgoingMail} port. The only implementation
 * so far, {@link dev.easgate.core.command.mail.LocalDelivery}, puts the message into the Inbox of every recipient
 * that is an account of this gateway (so its users can mail each other) and does <em>not</em> deliver to other
 * addresses: there is no SMTP relay yet. Such recipients are counted and logged ("not delivered: no SMTP relay
 * configured"); the send still succeeds for the local ones and the phone is not told.
 */
package dev.easgate.core.command.mail;
