#!/bin/sh
# An exec alert that mails each event (cluster file: alerts: [{type: exec, command: /etc/baton/alert-mail.sh}]).
# Baton runs it on the Raft leader with the event in BATON_EVENT_* variables and as JSON on stdin.
# A non-zero exit makes Baton retry (5 attempts). An event may come twice after a leader change:
# BATON_EVENT_ID is the same then, so the state file below keeps mail from being sent twice.
# Needs a local MTA or relay (e.g. msmtp-mta, postfix configured as a satellite).
set -eu
TO="${BATON_ALERT_TO:-ops@example.com}"
STATE="${BATON_ALERT_STATE:-/var/lib/baton/alert-mail.last-id}"
last=$(cat "$STATE" 2>/dev/null || echo 0)
[ "$BATON_EVENT_ID" -le "$last" ] && exit 0
subject="[baton $BATON_CLUSTER] $BATON_EVENT_KIND ${BATON_EVENT_GROUP:-} ${BATON_EVENT_NODE:-}"
{
  echo "Subject: $subject"
  echo "To: $TO"
  echo
  echo "$BATON_EVENT_TIME  $BATON_EVENT_KIND  group=${BATON_EVENT_GROUP:--} node=${BATON_EVENT_NODE:--} epoch=$BATON_EVENT_EPOCH"
  echo "$BATON_EVENT_MESSAGE"
  [ -n "${BATON_EVENT_CALLER:-}" ] && echo "by $BATON_EVENT_CALLER"
} | /usr/sbin/sendmail -t
echo "$BATON_EVENT_ID" > "$STATE"
