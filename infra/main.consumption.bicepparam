// Consumption (Y1, Windows). Runs the package from the deployment container
// (WEBSITE_RUN_FROM_PACKAGE): docs/deploy.md shows how to publish it. Switch azd to this file with
// `infra.module: main.consumption` in azure.yaml, or deploy it with az deployment group create.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'functionsjobs')
param plan = 'consumption'
param packageBlobName = 'functions.zip'
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param enableBlobEventSubscription = bool(readEnvironmentVariable('ENABLE_BLOB_EVENT_SUBSCRIPTION', 'false'))
// Completion callbacks are signed with this key (docs/callbacks.md); without it callback URLs are refused.
param callbacksSigningSecret = readEnvironmentVariable('CALLBACKS_SIGNING_SECRET', '')
