#!/usr/bin/env bash
# Put one new mail into a user's INBOX on the SOGo peer (the change the `wake` scenario waits for).
#
#   benchmarks/peer/sogo/deliver.sh USER [SUBJECT]
#
# Delivers through dovecot's LDA with the peer's dovecot.conf, so the mail is in the Maildir at once; SOGo notices
# it at its next internal poll (SOGoInternalSyncInterval). Prints the delivery time (UTC, ms) on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"

user="${1:?usage: deliver.sh USER [SUBJECT]}"
subject="${2:-peer wake $(date -u +%s%N)}"
conf="$STATE/dovecot/dovecot.conf"
[ -f "$conf" ] || die "$conf missing: run up.sh first"

now="$(date -u +%s%3N)"
{
  printf 'From: Peer Load <peer-load@%s>\r\n' "$MAIL_DOMAIN"
  printf 'To: %s@%s\r\n' "$user" "$MAIL_DOMAIN"
  printf 'Subject: %s\r\n' "$subject"
  printf 'Date: %s\r\n' "$(date -R)"
  printf 'Message-ID: <%s.%s@%s>\r\n' "$now" "$$" "$MAIL_DOMAIN"
  printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
  printf 'Delivered by benchmarks/peer/sogo/deliver.sh at %s ms.\r\n' "$now"
} | /usr/lib/dovecot/dovecot-lda -c "$conf" -d "$user" -f "peer-load@$MAIL_DOMAIN"
echo "$now"
