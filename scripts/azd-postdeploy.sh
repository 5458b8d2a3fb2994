#!/bin/sh
# azd postdeploy hook: create the Event Grid subscription (images BlobCreated -> blob extension
# webhook) once the deployed code has made the host create its blobs_extension system key.
# Needs the Azure CLI (az login). Values come from the azd environment (infra/main.bicep outputs).
set -eu

if ! command -v az >/dev/null 2>&1; then
  echo "postdeploy: the Azure CLI (az) is needed to create the Event Grid subscription; see docs/deploy.md" >&2
  exit 1
fi

# The key exists only after the host has indexed a blob trigger with Source = EventGrid; give a
# freshly deployed app a few minutes.
key=""
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
  key=$(az functionapp keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  echo "postdeploy: waiting for the blobs_extension key of $AZURE_FUNCTION_APP_NAME ($attempt/12)"
  sleep 15
done

if [ -z "$key" ]; then
  echo "postdeploy: $AZURE_FUNCTION_APP_NAME has no blobs_extension key: no blob trigger with Source = EventGrid is deployed yet."
  echo "postdeploy: skipping the Event Grid subscription; run 'azd deploy' again once $THUMBNAIL_FUNCTION_NAME exists."
  exit 0
fi

az deployment group create \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --name blob-event-subscription \
  --template-file infra/modules/blob-event-subscription.bicep \
  --parameters systemTopicName="$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" \
               functionAppName="$AZURE_FUNCTION_APP_NAME" \
               functionName="$THUMBNAIL_FUNCTION_NAME" \
               containerName="$IMAGES_CONTAINER_NAME" \
  --output none

# Keep the subscription declared in main.bicep from now on, so a later `azd provision` owns it.
azd env set ENABLE_BLOB_EVENT_SUBSCRIPTION true
echo "postdeploy: BlobCreated events of '$IMAGES_CONTAINER_NAME' now reach $THUMBNAIL_FUNCTION_NAME."
