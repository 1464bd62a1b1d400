#!/bin/sh
# An exec alert that posts each event to a Slack-style incoming webhook (Slack, Mattermost, Rocket.Chat):
#   alerts: [{type: exec, command: /etc/baton/alert-slack.sh, events: [granted, failover, failed, node-down, replica-behind]}]
# with BATON_SLACK_URL set in the unit's environment (systemctl edit baton-node). For a receiver that
# takes Baton's own JSON (id, cluster, kind, group, node, epoch, time, message, caller), use
# {type: webhook, url: ...} instead: no script needed. Needs curl.
set -eu
: "${BATON_SLACK_URL:?set BATON_SLACK_URL to the incoming webhook URL}"
text="[$BATON_CLUSTER] *$BATON_EVENT_KIND* ${BATON_EVENT_GROUP:-} ${BATON_EVENT_NODE:-} (epoch $BATON_EVENT_EPOCH): $BATON_EVENT_MESSAGE"
# JSON-escape backslashes and double quotes; the message is one line.
esc=$(printf '%s' "$text" | sed 's/\\/\\\\/g; s/"/\\"/g')
exec curl -fsS --max-time 8 -H 'Content-Type: application/json' \
  -d "{\"text\": \"$esc\", \"baton_event_id\": $BATON_EVENT_ID}" "$BATON_SLACK_URL" >/dev/null
