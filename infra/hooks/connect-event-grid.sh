#!/usr/bin/env bash
# Connects Event Grid to the importItem blob trigger on Flex Consumption: waits until the Functions
# host has created its blobs_extension system key (it does once the published code with the Event
# Grid blob trigger runs), then deploys infra/modules/event-subscription.bicep. Idempotent: the
# deployment PUTs the same subscription, so it is safe after every deployment, on a rebuild and on
# re-runs. On the Dedicated plan (no system topic) there is nothing to connect.
#
# With an SFTP drop zone (main.bicep dropZoneConnectors) it also subscribes the drop-zone function
# (importEmlDrop, functions/import-eml-drop.ts) to new blobs in the drop account's eml-drop
# container, once that function is published.
#
# Usage: infra/hooks/connect-event-grid.sh [resource group]   (default: $AZURE_RESOURCE_GROUP, set by azd)
# Environment: EVENT_GRID_KEY_TIMEOUT_SECONDS (default 600). The key itself is never printed.
set -euo pipefail

resource_group="${1:-${AZURE_RESOURCE_GROUP:-}}"
if [[ -z "$resource_group" ]]; then
  echo "usage: $0 <resource group> (or set AZURE_RESOURCE_GROUP)" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
timeout="${EVENT_GRID_KEY_TIMEOUT_SECONDS:-600}"

app="$(az functionapp list --resource-group "$resource_group" --query "[?tags.application=='telemessage-m365-archiver'].name | [0]" --output tsv)"
topics="[?tags.application=='telemessage-m365-archiver']"
topic="$(az eventgrid system-topic list --resource-group "$resource_group" --query "$topics | [?!ends_with(name, '-drop')].name | [0]" --output tsv)"
drop_topic="$(az eventgrid system-topic list --resource-group "$resource_group" --query "$topics | [?ends_with(name, '-drop')].name | [0]" --output tsv)"
readonly drop_function='importEmlDrop'
if [[ -z "$app" ]]; then
  echo "connect-event-grid: no archiver function app in resource group $resource_group" >&2
  exit 1
fi
if [[ -z "$topic" ]]; then
  echo "connect-event-grid: no Event Grid system topic in $resource_group: the Dedicated plan polls the container, nothing to connect"
  exit 0
fi
source_id="$(az eventgrid system-topic show --resource-group "$resource_group" --name "$topic" --query source --output tsv)"
storage="${source_id##*/}"

has_key() {
  [[ -n "$(az functionapp keys list --resource-group "$resource_group" --name "$app" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null)" ]]
}

deadline=$((SECONDS + timeout))
until has_key; do
  if ((SECONDS >= deadline)); then
    echo "connect-event-grid: $app has no blobs_extension key after ${timeout}s: is the code published and the host running? (az functionapp function list -g $resource_group -n $app)" >&2
    exit 1
  fi
  echo "connect-event-grid: waiting for the host of $app to create its blobs_extension key"
  sleep 15
done

# Event Grid validates the webhook on creation; right after a deployment the host may still be
# restarting, so a failed validation is retried a few times before giving up.
subscribe() {
  local deployment="$1"
  shift
  for attempt in 1 2 3 4 5; do
    if az deployment group create --resource-group "$resource_group" --name "$deployment" \
      --template-file "$here/../modules/event-subscription.bicep" --parameters "$@" --output none; then
      return 0
    fi
    echo "connect-event-grid: attempt $attempt failed; retrying in 30 s"
    sleep 30
  done
  echo "connect-event-grid: could not create the Event Grid subscription; see the deployment $deployment in $resource_group" >&2
  return 1
}

subscribe "${app}-event-subscription" systemTopicName="$topic" functionAppName="$app" storageAccountName="$storage"
echo "connect-event-grid: BlobCreated events of archive-items are delivered to importItem on $app"

if [[ -n "$drop_topic" ]]; then
  if [[ -z "$(az functionapp function show --resource-group "$resource_group" --name "$app" \
    --function-name "$drop_function" --query name --output tsv 2>/dev/null)" ]]; then
    echo "connect-event-grid: $app has no $drop_function function yet: the SFTP drop zone is not connected (run this again after publishing it)"
    exit 0
  fi
  subscribe "${app}-drop-subscription" systemTopicName="$drop_topic" functionAppName="$app" storageAccountName="$storage" \
    functionName="$drop_function" containerName=eml-drop subscriptionName="eml-drop-to-$drop_function"
  echo "connect-event-grid: BlobCreated events of the drop zone's eml-drop container are delivered to $drop_function on $app"
fi
