// The Event Grid subscription that delivers BlobCreated events of one container to the blob
// extension webhook of a function app (a blob trigger with Source = BlobTriggerSource.EventGrid).
//
// Deployed after the app's code, never together with a fresh app: the webhook URL carries the
// host's blobs_extension system key, which exists only once the host has started with such a
// trigger. main.bicep includes it when enableBlobEventSubscription is true; the azd postdeploy
// hook (scripts/azd-postdeploy.sh) deploys this file on its own, as the official
// functions-quickstart-dotnet-azd-eventgrid-blob creates its subscription after `azd deploy`.

@description('The Event Grid system topic of the storage account (created by main.bicep).')
param systemTopicName string

@description('The function app that hosts the blob-triggered function.')
param functionAppName string

@description('The blob-triggered function, as named by its [Function] attribute.')
param functionName string = 'ThumbnailBlobTrigger'

@description('Only blobs created in this container are delivered.')
param containerName string = 'images'

@description('Name of the event subscription.')
param subscriptionName string = '${containerName}-blob-created'

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

// Read inside the deployment, so the key never appears in parameters or outputs.
var blobsExtensionKey = listKeys('${functionApp.id}/host/default', '2025-03-01').systemKeys.blobs_extension

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        // Event Grid validates this endpoint when the subscription is created; the blob extension
        // answers the validation handshake itself.
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      // The trailing slash keeps a container named e.g. "images-archive" out.
      subjectBeginsWith: '/blobServices/default/containers/${containerName}/'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      // Event Grid's defaults, stated: retries with back-off for up to a day.
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output subscriptionName string = subscription.name
