// FunctionsJobs in Azure: the Functions app (src/FunctionsJobs.Functions) and everything it
// talks to, with identity-based connections only. docs/deploy.md explains the deployment paths.
//
// Deployed at resource-group scope so `az deployment group create` and `azd` (resource-group
// scoped deployment) use the same template. No public registry modules: every resource is
// declared here, with the API versions the Bicep CLI in Directory.Packages.props knows.
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Environment name (azd AZURE_ENV_NAME). Part of the hash that makes resource names unique.')
param environmentName string

@description('Region of every resource. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@allowed([
  'flex'
  'consumption'
  'premium'
])
@description('Hosting plan: Flex Consumption (FC1, Linux), Consumption (Y1, Windows: Linux Consumption stops at .NET 9) or Elastic Premium (EP1-EP3, Windows).')
param plan string = 'flex'

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption only: memory of each instance in MB (2048 is the platform default).')
param flexInstanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Flex Consumption only: the most instances the app scales out to (platform default 100).')
param flexMaximumInstanceCount int = 100

@allowed([
  'EP1'
  'EP2'
  'EP3'
])
@description('Elastic Premium only: instance size (EP1 1 core / 3.5 GB, EP2 2 / 7 GB, EP3 4 / 14 GB).')
param premiumSku string = 'EP1'

@minValue(1)
@maxValue(20)
@description('Elastic Premium only: always-ready instances (plan size); billed whether or not functions run.')
param premiumMinimumInstances int = 1

@minValue(0)
@maxValue(10)
@description('Elastic Premium only: pre-warmed instances kept ready beyond the always-ready ones while the app scales.')
param premiumPreWarmedInstances int = 1

@minValue(1)
@maxValue(100)
@description('Elastic Premium only: maximum burst, the most instances the plan scales out to.')
param premiumMaximumBurst int = 20

@description('Consumption and Premium only: blob in the deployment container that WEBSITE_RUN_FROM_PACKAGE points at (docs/deploy.md uploads it).')
param packageBlobName string = 'functions.zip'

@description('Blob container whose new blobs are thumbnailed; the Event Grid subscription filters on it.')
param imagesContainerName string = 'images'

@description('Name of the blob-triggered function (Source = EventGrid) that receives BlobCreated events for the images container.')
param thumbnailFunctionName string = 'ThumbnailBlobTrigger'

@description('Create the Event Grid subscription to the blob extension webhook. Needs the app\'s code deployed first (the blobs_extension key exists only then): deploy with false, publish the code, deploy again with true.')
param enableBlobEventSubscription bool = false

@description('Service Bus queue that carries order commands.')
param ordersQueueName string = 'orders'

@description('Optional: object id of a user (azd AZURE_PRINCIPAL_ID) who gets blob data access to upload images, since shared-key access is off. Empty: none.')
param principalId string = ''

// ---------------------------------------------------------------------------------------------
// Names and shared values
// ---------------------------------------------------------------------------------------------

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
}
var isFlex = plan == 'flex'
var isPremium = plan == 'premium'

var functionAppName = 'func-${token}'
// Flex reads its package from this container; Consumption and Premium run the zip uploaded to it
// (WEBSITE_RUN_FROM_PACKAGE), because without shared keys they cannot use an Azure Files share.
var deploymentContainerName = 'app-package-${token}'

// Settings the jobs read, with the names of local.settings.sample.json. ONE object: every job
// that adds a setting appends it here, so this is the list of job settings the app gets in Azure.
// FunctionsJobs__* tune the self-hosted runtime and are ignored by the Functions host; they are
// kept so that a setting keeps one name and one value everywhere.
@description('SMTP relay the order confirmations go through (e.g. Azure Communication Services SMTP or SendGrid).')
param smtpHost string = 'smtp.example.invalid'

@description('SMTP port of the relay; 587 with STARTTLS is the usual choice.')
param smtpPort int = 587

@description('Sender address of order confirmations.')
param mailFrom string = 'orders@example.invalid'

@secure()
@description('Key that signs completion callbacks (Standard Webhooks): whsec_ and the base64 of 24-64 random bytes; several, space separated, while receivers move to a new one. Empty: callback URLs are refused, reply queues still work.')
param callbacksSigningSecret string = ''

// Largest image POST /api/images accepts (25 MiB); FUNCTIONS_REQUEST_BODY_SIZE_LIMIT follows it.
var thumbnailMaxBytes = 26214400

var jobSettings = {
  FunctionsJobs__DrainTimeout: '00:00:30'
  FunctionsJobs__QueueMessageLease: '00:10:00'
  FunctionsJobs__FunctionTimeoutGrace: '00:00:30'
  PoisonReasonsTableName: 'PoisonReasons'
  // Scheduling: one host id per app, so every instance competes for the same timer locks.
  AzureFunctionsWebHost__hostid: take(functionAppName, 32)
  FunctionsJobs__Timers__LockPeriod: '00:01:00'
  FunctionsJobs__Timers__RetentionCleanup__RunOnStartup: 'false'
  FunctionsJobs__Timers__OrderSupervisor__RunOnStartup: 'false'
  JobRunsTableName: 'JobRuns'
  JobCheckpointsContainerName: 'job-checkpoints'
  JobProgressInterval: '00:00:05'
  RetentionCleanupSchedule: '0 30 3 * * *'
  RetentionJobRunsDays: '30'
  RetentionPoisonMessagesDays: '7'
  RetentionIdempotencyDays: '7'
  RetentionOutboxDays: '30'
  // Operations (docs/operations.md): the dashboard's index of the latest orders and images, and
  // how often the Host samples queue depths for its gauges.
  RecentItemsTableName: 'RecentItems'
  RetentionRecentItemsDays: '7'
  FunctionsJobs__QueueDepthSampleInterval: '00:00:30'
  FunctionsJobs__Timers__NightlySalesReport__RunOnStartup: 'false'
  SalesReportSchedule: '0 0 2 * * *'
  ReportsContainerName: 'reports'
  SalesReportBlockBytes: '1048576'
  // Orders: in Azure they travel over Service Bus (duplicate detection, dead-lettering), so the
  // storage-queue twin of the processing function is disabled and the Service Bus one enabled.
  OrdersTransport: 'ServiceBus'
  'AzureWebJobs.ProcessOrder.Disabled': 'true'
  'AzureWebJobs.ProcessOrderFromServiceBus.Disabled': 'false'
  OrdersQueueName: ordersQueueName
  OrdersTableName: 'Orders'
  InventoryTableName: 'Inventory'
  PaymentsTableName: 'Payments'
  OrdersOutboxTableName: 'OrdersOutbox'
  OrdersSeedInventory: 'false'
  OrdersSmtpHost: smtpHost
  OrdersSmtpPort: string(smtpPort)
  OrdersSmtpSecurity: 'StartTls'
  OrdersMailFrom: mailFrom
  OrdersMailClaim: '00:00:30'
  OrdersMaxLines: '100'
  OrdersMaxQuantityPerLine: '1000'
  OrdersMaxBodyBytes: '524288'
  OrdersServiceBusMaxDeliveryCount: '10'
  PaymentSandboxTransientFailures: '0'
  // This reference ships only the sandbox payment gateway, which charges nobody: a deployment of it
  // is a demo. Outside Development the Host refuses the sandbox unless a setting chooses it, so a
  // copied configuration cannot take real orders unpaid by accident. A team with a real provider
  // registers its IPaymentGateway and removes this line.
  OrdersPaymentGateway: 'Sandbox'
  // The order supervisor re-dispatches stuck orders over OrdersTransport (Service Bus here).
  OrderSupervisorSchedule: '0 */1 * * * *'
  OrderSupervisorStuckAfter: '00:05:00'
  OrderSupervisorMaxRedispatches: '3'
  OrderSupervisorLookbackDays: '2'
  // Thumbnails: ImagesContainerName is also what the Event Grid subscription filters on.
  ImagesContainerName: 'images'
  ThumbnailsContainerName: 'thumbnails'
  ThumbnailStatusTableName: 'ThumbnailStatus'
  ThumbnailEventsQueueName: 'thumbnail-events'
  ThumbnailSizes: '128,256,512'
  ThumbnailQuality: '80'
  ThumbnailFormat: 'jpeg'
  ThumbnailMaxBytes: string(thumbnailMaxBytes)
  // The Functions host refuses a larger body itself (413) before proxying it to the worker; the
  // worker's own early 413 would break the proxied request and reach the client as a 500.
  // ThumbnailMaxBytes plus the upload route's 64 KiB multipart allowance (ImageUploads.RequestBytesFor).
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(thumbnailMaxBytes + 65536)
  ThumbnailMaxPixels: '100000000'
  // Event Grid announces every blob in Azure: the reconciliation is a safety net, hourly.
  ThumbnailReconciliationSchedule: '0 0 * * * *'
  ThumbnailReconciliationGrace: '00:05:00'
  ThumbnailUploadEventDelay: '00:01:00'
  // The container scan is for func start with Azurite; here ThumbnailBlobTrigger (Event Grid) is
  // the front door, so the scan's timer twin stays off. Its schedule must still resolve.
  ThumbnailBlobScanSchedule: '00:00:05'
  'AzureWebJobs.ThumbnailBlobScan.Disabled': 'true'
  'AzureWebJobs.ThumbnailBlobTrigger.Disabled': 'false'
  // The self-hosted runtime's scan (its ThumbnailBlobTrigger); the Functions host ignores them.
  ThumbnailBlobScanInterval: '00:00:01'
  ThumbnailBlobScanMaxInterval: '00:00:05'
  ThumbnailScanReceiptsTableName: 'ThumbnailScanReceipts'
  RetentionOrphanedThumbnailsDays: '7'
  RetentionScanReceiptsDays: '7'
  // Callbacks: https URLs that resolve to public addresses only (checked at intake and on each connect).
  CallbacksQueueName: 'callbacks'
  CallbacksDeadLettersTableName: 'CallbackDeadLetters'
  CallbacksSigningSecret: callbacksSigningSecret
  CallbacksMaxAge: '1.00:00:00'
  CallbacksFirstRetryDelay: '00:00:05'
  CallbacksMaxRetryDelay: '01:00:00'
  CallbacksTimeout: '00:00:15'
  CallbacksRecoveryDelay: '00:00:30'
  CallbacksAllowPrivateNetworks: 'false'
  CallbacksReplyQueuePrefix: 'reply-'
  CallbacksMaxConcurrentPerHost: '8'
  RetentionCallbackDeadLettersDays: '30'
}

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
}

// ---------------------------------------------------------------------------------------------
// Identity: one user-assigned identity for every connection the app makes
// ---------------------------------------------------------------------------------------------

// User-assigned rather than system-assigned: it exists before the app, so role assignments are in
// place when the host first starts, and the same identity can serve a container (deploy/keda).
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${token}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------
// Monitoring: Log Analytics + workspace-based Application Insights, Entra ID ingestion only
// ---------------------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-${token}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    features: {
      // No shared-key ingestion into the workspace either.
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry must be sent with an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
    // the instrumentation key alone is refused.
    DisableLocalAuth: true
  }
}

resource appInsightsMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: host storage (AzureWebJobsStorage), job data and the deployment package, keys off
// ---------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: 'st${token}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Entra ID only: no account keys, no SAS signed with them, no anonymous blobs.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Created here because the Event Grid subscription filters on it; the jobs create their other
// containers, queues and tables themselves.
resource imagesContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: imagesContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Blob Data Owner (not Contributor): the Functions host manages blob leases and the blob trigger's
// receipts; Queue and Table Data Contributor for the queue trigger, poison queues and status tables.
var storageRolesForApp = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRolesForApp: {
    name: guid(storage.id, identity.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// With shared keys off, a person uploading images (az storage blob upload --auth-mode login)
// needs a data role of their own.
resource userBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(storage.id, principalId, roles.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'User'
  }
}

// ---------------------------------------------------------------------------------------------
// Service Bus: the orders queue, Entra ID only
// ---------------------------------------------------------------------------------------------

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: 'sb-${token}'
  location: location
  tags: tags
  sku: {
    // Standard: queues with duplicate detection at the lowest tier that has them (Basic has not).
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource ordersQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: serviceBus
  name: ordersQueueName
  properties: {
    // A retried POST /api/orders that re-sends the same MessageId (the order id) within the
    // window is dropped by the broker, on top of the handler's own idempotency.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    // After 10 failed deliveries the message moves to the dead-letter queue instead of looping.
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
  }
}

// Sender + Receiver, not Data Owner: the app sends and processes messages but never creates
// or deletes queues (this template does).
var serviceBusRolesForApp = [
  roles.serviceBusDataSender
  roles.serviceBusDataReceiver
]

resource serviceBusRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in serviceBusRolesForApp: {
    name: guid(serviceBus.id, identity.id, roleId)
    scope: serviceBus
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// ---------------------------------------------------------------------------------------------
// Hosting plan and function app
// ---------------------------------------------------------------------------------------------

var planSkus = {
  flex: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  consumption: {
    name: 'Y1'
    tier: 'Dynamic'
  }
  premium: {
    name: premiumSku
    tier: 'ElasticPremium'
    // Plan size: instances that always run (and are always billed).
    capacity: premiumMinimumInstances
  }
}

resource hostingPlan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${token}'
  location: location
  tags: tags
  kind: isPremium ? 'elastic' : 'functionapp'
  sku: planSkus[plan]
  properties: {
    // Flex Consumption is Linux only; Consumption and Premium run on Windows here because Linux
    // Consumption gets no language versions after .NET 9 and retires on 30 September 2028.
    reserved: isFlex
    maximumElasticWorkerCount: isPremium ? premiumMaximumBurst : null
  }
}

// Identity-based connections: no connection string, key or SAS anywhere in the app settings.
var connectionSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusHost
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.properties.clientId}'
}

// The host of serviceBusEndpoint ("https://<name>.servicebus.windows.net:443/") without scheme and
// port: taken from the namespace rather than written out, so sovereign clouds get their own suffix.
var serviceBusHost = split(replace(serviceBus.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

// Flex Consumption takes runtime and deployment from functionAppConfig and rejects the
// FUNCTIONS_* and WEBSITE_RUN_FROM_PACKAGE settings; Windows plans need them.
var windowsSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  // Start .NET isolated apps from a pre-warmed placeholder (shorter cold start on Windows).
  WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED: '1'
  // No Azure Files content share (it needs an account key): run the zip from the deployment
  // container, fetched with the user-assigned identity.
  WEBSITE_RUN_FROM_PACKAGE: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}/${packageBlobName}'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identity.id
}

var appSettings = union(connectionSettings, jobSettings, isFlex ? {} : windowsSettings)

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  // azd finds the app to deploy service `functions` (azure.yaml) by this tag.
  tags: union(tags, {
    'azd-service-name': 'functions'
  })
  kind: isFlex ? 'functionapp,linux' : 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: hostingPlan.id
    httpsOnly: true
    reserved: isFlex
    functionAppConfig: isFlex
      ? {
          deployment: {
            storage: {
              type: 'blobContainer'
              value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
              authentication: {
                type: 'UserAssignedIdentity'
                userAssignedIdentityResourceId: identity.id
              }
            }
          }
          scaleAndConcurrency: {
            instanceMemoryMB: flexInstanceMemoryMB
            maximumInstanceCount: flexMaximumInstanceCount
          }
          runtime: {
            name: 'dotnet-isolated'
            // The Flex stack list (Get-AzFunctionAppFlexConsumptionRuntime) names .NET 10 as '10.0'.
            version: '10.0'
          }
        }
      : null
    // Flex refuses the Windows and Premium site properties, so they are added only where they apply.
    siteConfig: union(
      {
        minTlsVersion: '1.2'
        ftpsState: 'Disabled'
      },
      isFlex ? {} : windowsSiteConfig,
      isPremium ? premiumSiteConfig : {}
    )
  }
  // Flex checks its deployment container when the app is created; every plan's host needs its
  // storage roles from the first start.
  dependsOn: [
    deploymentContainer
    storageRoleAssignments
  ]
}

// Windows .NET stack version (Flex takes the runtime from functionAppConfig instead), 64-bit.
var windowsSiteConfig = {
  netFrameworkVersion: 'v10.0'
  use32BitWorkerProcess: false
}

// Elastic Premium: instances kept running for this app, and pre-warmed ones ready for scale-out.
var premiumSiteConfig = {
  minimumElasticInstanceCount: premiumMinimumInstances
  preWarmedInstanceCount: premiumPreWarmedInstances
}

// A config resource replaces the whole settings list: what is not here is removed from the app.
resource functionAppSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
  // The host starts with these identity-based settings, so the roles they rely on come first.
  dependsOn: [
    serviceBusRoleAssignments
    appInsightsMetricsPublisher
  ]
}

// ---------------------------------------------------------------------------------------------
// Event Grid: BlobCreated in the images container -> the blob extension webhook of the app
// ---------------------------------------------------------------------------------------------

resource storageEventsTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: 'evgt-${token}'
  location: location
  tags: tags
  // For deliveries that sign in to storage, as deploy/keda/blob-events.bicep's subscription to the
  // self-hosted runtime's events queue does (the account refuses shared keys).
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// Step two of the deployment (docs/deploy.md): the webhook needs the app's blobs_extension
// system key, which the host creates only once code with an Event Grid blob trigger runs.
module blobEventSubscription 'modules/blob-event-subscription.bicep' = if (enableBlobEventSubscription) {
  name: 'blob-event-subscription'
  params: {
    systemTopicName: storageEventsTopic.name
    functionAppName: functionApp.name
    functionName: thumbnailFunctionName
    containerName: imagesContainer.name
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment; the postdeploy hook reads several)
// ---------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTIONS_PLAN string = plan
output AZURE_FUNCTION_APP_NAME string = functionApp.name
output AZURE_FUNCTION_APP_HOSTNAMES array = functionApp.properties.enabledHostNames
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.properties.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.name
output AZURE_DEPLOYMENT_CONTAINER_NAME string = deploymentContainer.name
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.name
output AZURE_SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = connectionSettings.ServiceBusConnection__fullyQualifiedNamespace
output AZURE_IDENTITY_CLIENT_ID string = identity.properties.clientId
output AZURE_IDENTITY_RESOURCE_ID string = identity.id
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = storageEventsTopic.name
output IMAGES_CONTAINER_NAME string = imagesContainer.name
output THUMBNAIL_FUNCTION_NAME string = thumbnailFunctionName
