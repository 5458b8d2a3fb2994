// Flex Consumption (FC1): the default plan. Used by `azd up` (azure.yaml infra.module: main.flex)
// and by `az deployment group create --parameters infra/main.flex.bicepparam`.
// azd passes its environment as environment variables; the defaults serve plain az deployments.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'functionsjobs')
param plan = 'flex'
param flexInstanceMemoryMB = 2048
param flexMaximumInstanceCount = 100
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
// Step two (docs/deploy.md): set ENABLE_BLOB_EVENT_SUBSCRIPTION=true once the code is deployed.
param enableBlobEventSubscription = bool(readEnvironmentVariable('ENABLE_BLOB_EVENT_SUBSCRIPTION', 'false'))
// Completion callbacks are signed with this key (docs/callbacks.md); without it callback URLs are refused.
param callbacksSigningSecret = readEnvironmentVariable('CALLBACKS_SIGNING_SECRET', '')
