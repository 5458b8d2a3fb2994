# azd postdeploy hook (Windows): the same steps as azd-postdeploy.sh.
$ErrorActionPreference = 'Stop'

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    throw 'postdeploy: the Azure CLI (az) is needed to create the Event Grid subscription; see docs/deploy.md'
}

$key = ''
foreach ($attempt in 1..12) {
    $key = az functionapp keys list --resource-group $env:AZURE_RESOURCE_GROUP --name $env:AZURE_FUNCTION_APP_NAME `
        --query 'systemKeys.blobs_extension' --output tsv 2>$null
    if ($key) { break }
    Write-Host "postdeploy: waiting for the blobs_extension key of $($env:AZURE_FUNCTION_APP_NAME) ($attempt/12)"
    Start-Sleep -Seconds 15
}

if (-not $key) {
    Write-Host "postdeploy: $($env:AZURE_FUNCTION_APP_NAME) has no blobs_extension key: no blob trigger with Source = EventGrid is deployed yet."
    Write-Host "postdeploy: skipping the Event Grid subscription; run 'azd deploy' again once $($env:THUMBNAIL_FUNCTION_NAME) exists."
    exit 0
}

az deployment group create `
    --resource-group $env:AZURE_RESOURCE_GROUP `
    --name blob-event-subscription `
    --template-file infra/modules/blob-event-subscription.bicep `
    --parameters systemTopicName=$env:AZURE_EVENTGRID_SYSTEM_TOPIC_NAME `
                 functionAppName=$env:AZURE_FUNCTION_APP_NAME `
                 functionName=$env:THUMBNAIL_FUNCTION_NAME `
                 containerName=$env:IMAGES_CONTAINER_NAME `
    --output none
if ($LASTEXITCODE -ne 0) { throw 'postdeploy: creating the Event Grid subscription failed' }

azd env set ENABLE_BLOB_EVENT_SUBSCRIPTION true
Write-Host "postdeploy: BlobCreated events of '$($env:IMAGES_CONTAINER_NAME)' now reach $($env:THUMBNAIL_FUNCTION_NAME)."
