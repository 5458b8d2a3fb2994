// The self-hosted runtime on Azure Container Apps: the Container Apps equivalent of host.yaml +
// scaledobject.yaml. Its scale rule is the same KEDA azure-queue scaler, authenticated with the
// app's user-assigned identity. Deploy it into the resource group of infra/main.bicep, reusing
// that identity, storage account and Event Grid system topic (docs/deploy.md); blob-events.bicep
// subscribes the Host's thumbnail events queue to the images container's blob events.

@description('Region of the container app; the environment\'s region.')
param location string = resourceGroup().location

@description('Resource id of an existing Container Apps environment.')
param containerAppsEnvironmentId string

@description('The Host image, e.g. myregistry.azurecr.io/functionsjobs-host:1.0.')
param image string

@description('Registry server to pull the image from with the identity (needs AcrPull); empty for a public image.')
param registryServer string = ''

@description('Resource id of the user-assigned identity (infra/main.bicep output AZURE_IDENTITY_RESOURCE_ID).')
param identityResourceId string

@description('Client id of that identity (output AZURE_IDENTITY_CLIENT_ID).')
param identityClientId string

@description('Storage account of the jobs (output AZURE_STORAGE_ACCOUNT_NAME).')
param storageAccountName string

@description('A queue the Host listens to; its depth drives the replica count.')
param queueName string

@description('Event Grid system topic of the storage account (output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME): pushes the images container\'s blob events to the Host.')
param systemTopicName string

@description('Container whose blobs become thumbnails (ImagesContainerName).')
param imagesContainerName string = 'images'

@description('Queue of the thumbnail events (ThumbnailEventsQueueName).')
param thumbnailEventsQueueName string = 'thumbnail-events'

// Timer locks and status live under azure-webjobs-hosts/{hostId}: a second deployment of the Host on
// the same storage account (staging beside production) must have an id of its own, or the two share
// their timer locks and one of them never runs its timers. Outside Development the Host refuses to
// start without one (else it derives it from CONTAINER_APP_NAME, which both would share here).
@minLength(1)
@maxLength(32)
@description('Host id (AzureFunctionsWebHost__hostid): 1-32 lowercase letters, digits and dashes, different for each deployment on the storage account.')
param hostId string

@secure()
@description('Key for /api routes (FunctionsJobs__FunctionKey), 16+ characters.')
param functionKey string

@secure()
@description('Key for /admin routes (FunctionsJobs__MasterKey), 16+ characters, unlike the function key.')
param masterKey string

resource hostApp 'Microsoft.App/containerApps@2025-01-01' = {
  name: 'functionsjobs-host'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    environmentId: containerAppsEnvironmentId
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 8080
        transport: 'auto'
      }
      registries: empty(registryServer)
        ? []
        : [
            {
              server: registryServer
              identity: identityResourceId
            }
          ]
      secrets: [
        {
          name: 'function-key'
          value: functionKey
        }
        {
          name: 'master-key'
          value: masterKey
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'host'
          image: image
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
          env: [
            // Container Apps serves managed identity tokens through ManagedIdentityCredential,
            // so the Functions-style __credential / __clientId settings apply as in Azure Functions.
            {
              name: 'AzureWebJobsStorage__accountName'
              value: storageAccountName
            }
            {
              name: 'AzureWebJobsStorage__credential'
              value: 'managedidentity'
            }
            {
              name: 'AzureWebJobsStorage__clientId'
              value: identityClientId
            }
            // Event Grid pushes the images container's blob events (blobEvents below), so the
            // Host's container scan is off: every replica would otherwise list the container.
            {
              name: 'AzureWebJobs__ThumbnailBlobTrigger__Disabled'
              value: 'true'
            }
            {
              name: 'ImagesContainerName'
              value: imagesContainerName
            }
            {
              name: 'ThumbnailEventsQueueName'
              value: thumbnailEventsQueueName
            }
            {
              name: 'AzureFunctionsWebHost__hostid'
              value: hostId
            }
            {
              // The sandbox payment gateway charges nobody: this deployment is a demo, and says so,
              // since outside Development the Host refuses the sandbox unless it is chosen. With a
              // real provider's IPaymentGateway registered, remove this setting.
              name: 'OrdersPaymentGateway'
              value: 'Sandbox'
            }
            {
              name: 'FunctionsJobs__FunctionKey'
              secretRef: 'function-key'
            }
            {
              name: 'FunctionsJobs__MasterKey'
              secretRef: 'master-key'
            }
          ]
          probes: [
            {
              type: 'Liveness'
              httpGet: {
                path: '/health/live'
                port: 8080
              }
              periodSeconds: 10
            }
            {
              // Ready only while storage answers.
              type: 'Readiness'
              httpGet: {
                path: '/health/ready'
                port: 8080
              }
              periodSeconds: 10
            }
          ]
        }
      ]
      scale: {
        // Not 0: the Host also runs the timer jobs and serves HTTP, which no queue announces.
        minReplicas: 1
        maxReplicas: 10
        rules: [
          {
            name: 'storage-queue'
            custom: {
              // The KEDA azure-queue scaler; the identity replaces a connection-string secret.
              type: 'azure-queue'
              metadata: {
                accountName: storageAccountName
                queueName: queueName
                // Target messages per replica: one Host takes host.json's batchSize (16) at a time.
                queueLength: '16'
              }
              identity: identityResourceId
            }
          }
        ]
      }
    }
  }
}

module blobEvents 'blob-events.bicep' = {
  name: 'host-blob-events'
  params: {
    storageAccountName: storageAccountName
    systemTopicName: systemTopicName
    containerName: imagesContainerName
    queueName: thumbnailEventsQueueName
  }
}

output fqdn string = hostApp.properties.configuration.ingress.fqdn
output blobEventSubscriptionName string = blobEvents.outputs.subscriptionName
