/**
 * MoveItems (MS-ASCMD 2.2.1.12): moves items between folders of the same class, each move answered on its own.
 */
package dev.easgate.core.command.move;
