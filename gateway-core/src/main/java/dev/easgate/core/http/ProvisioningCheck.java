package dev.easgate.core.http;

import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.core.protocol.EasCommand;

/** Decides whether a request may proceed or its device must (re-)provision first (MS-ASPROV 3.2.5.1). */
final class ProvisioningCheck {

    /** The outcome, with the MS-ASCMD common status code sent to 14.0+ clients (2.2.3.177.4). */
    enum Verdict {
        OK(1),
        /** 140: an administrator asked for a remote wipe, which the next Provision delivers. */
        REMOTE_WIPE_REQUESTED(140),
        /** 142: the device sent no policy key, or has none yet. */
        NOT_PROVISIONED(142),
        /** 144: the device's policy key is not the current one. */
        INVALID_POLICY_KEY(144);

        private final int status;

        Verdict(int status) {
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private ProvisioningCheck() {
    }

    static Verdict check(boolean required, EasCommand command, DeviceRecord device, Long policyKey) {
        if (command == EasCommand.PROVISION) {
            return Verdict.OK;
        }
        DeviceRecord.WipeState wipe = device.wipe();
        if (wipe == DeviceRecord.WipeState.WIPE_REQUESTED || wipe == DeviceRecord.WipeState.ACCOUNT_WIPE_REQUESTED) {
            return Verdict.REMOTE_WIPE_REQUESTED;
        }
        if (!required) {
            return Verdict.OK;
        }
        if (policyKey == null || policyKey == 0 || device.policyKey() == 0) {
            return Verdict.NOT_PROVISIONED;
        }
        return policyKey == device.policyKey() ? Verdict.OK : Verdict.INVALID_POLICY_KEY;
    }
}
