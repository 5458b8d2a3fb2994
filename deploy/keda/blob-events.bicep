// Blob events of the images container pushed to the self-hosted runtime: an Event Grid subscription
// on the storage account's system topic (infra/main.bicep creates it, with a system-assigned
// identity) delivers Microsoft.Storage.BlobCreated and BlobDeleted to the thumbnail events queue the
// Host listens to (Event Grid event schema, one event per message, base64-encoded as the Host's
// host.json messageEncoding expects). The topic's identity gets Storage Queue Data Message Sender on
// that queue alone. With this in place the Host's own container scan is switched off
// (AzureWebJobs__ThumbnailBlobTrigger__Disabled=true in containerapp.bicep and host.yaml).
// containerapp.bicep deploys it; on Kubernetes deploy it on its own into the storage account's group.

@description('Storage account of the jobs (infra/main.bicep output AZURE_STORAGE_ACCOUNT_NAME).')
param storageAccountName string

@description('Event Grid system topic of that account (output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME).')
param systemTopicName string

@description('Only blobs of this container are delivered (the Host\'s ImagesContainerName).')
param containerName string = 'images'

@description('The queue the Host\'s ThumbnailBlobEvents function listens to (ThumbnailEventsQueueName).')
param queueName string = 'thumbnail-events'

@description('Name of the event subscription.')
param subscriptionName string = '${containerName}-blob-events-to-queue'

// Built-in role: send (add) messages to a queue, nothing else.
var storageQueueDataMessageSender = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

// Declared so that it exists before the first event: Event Grid does not create queues.
resource eventsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queueService
  name: queueName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource topicSendsToQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventsQueue.id, systemTopic.id, storageQueueDataMessageSender)
  scope: eventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSender)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: subscriptionName
  properties: {
    // The topic's own identity: shared keys are off on the account, and only a system-assigned
    // identity keeps working should the account get firewall rules (trusted-service bypass).
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storage.id
          queueName: eventsQueue.name
          // Seven days, the queue's own default: longer than any outage the Host should outlive.
          queueMessageTimeToLiveInSeconds: 604800
        }
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
        'Microsoft.Storage.BlobDeleted'
      ]
      // The trailing slash keeps a container named e.g. "images-archive" out.
      subjectBeginsWith: '/blobServices/default/containers/${containerName}/'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      // Event Grid's defaults, stated: retries with back-off for up to a day (e.g. until the role
      // assignment has propagated).
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
  dependsOn: [
    topicSendsToQueue
  ]
}

output subscriptionName string = subscription.name
output queueName string = eventsQueue.name
