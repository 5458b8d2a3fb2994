// Elastic Premium (Windows): one always-ready instance, one pre-warmed, bursts to 20.
// Runs the package from the deployment container, like Consumption (docs/deploy.md).
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'functionsjobs')
param plan = 'premium'
param premiumSku = 'EP1'
param premiumMinimumInstances = 1
param premiumPreWarmedInstances = 1
param premiumMaximumBurst = 20
param packageBlobName = 'functions.zip'
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param enableBlobEventSubscription = bool(readEnvironmentVariable('ENABLE_BLOB_EVENT_SUBSCRIPTION', 'false'))
// Completion callbacks are signed with this key (docs/callbacks.md); without it callback URLs are refused.
param callbacksSigningSecret = readEnvironmentVariable('CALLBACKS_SIGNING_SECRET', '')
