// Everything `azd up` provisions for the chat app, keyless end to end: the app signs in to Azure
// OpenAI, Azure AI Search and Blob Storage with its managed identity, the developer with their
// own Microsoft Entra sign-in, and no service has API keys or shared keys enabled.
// See docs/deploy.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and tags every resource.')
param environmentName string

@minLength(1)
@description('Location of the resource group and of every resource without a location of its own below.')
param location string

@description('Name of the resource group to create; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the user (or CI principal) running azd: it gets the roles ingestion needs. Empty skips them.')
param principalId string = ''

@description('Kind of principal principalId is; ServicePrincipal when azd signs in as one (CI).')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

// --- Azure OpenAI ---------------------------------------------------------------------------

@description('Name of the Azure OpenAI account; default oai-<token>. With openAiResourceGroupName, an existing account.')
param openAiServiceName string = ''

@description('Resource group of an existing Azure OpenAI account to use instead of creating one (it is not modified; its deployments must exist).')
param openAiResourceGroupName string = ''

@description('Location of the Azure OpenAI account, where the models are available; default: location.')
param openAiLocation string = ''

@description('Chat model and version; see the model availability tables of Azure OpenAI.')
param chatModelName string = 'gpt-4.1-mini'
param chatModelVersion string = '2025-04-14'

@description('Name of the chat deployment (AZURE_OPENAI_CHAT_DEPLOYMENT).')
param chatDeploymentName string = chatModelName

@description('GlobalStandard, DataZoneStandard or Standard, as the model and region offer.')
param chatDeploymentSku string = 'GlobalStandard'

@description('Capacity in thousands of tokens per minute, within your quota.')
@minValue(1)
param chatDeploymentCapacity int = 30

@description('Embedding model and version.')
param embedModelName string = 'text-embedding-3-large'
param embedModelVersion string = '1'

@description('Name of the embedding deployment (AZURE_OPENAI_EMBED_DEPLOYMENT).')
param embedDeploymentName string = embedModelName

param embedDeploymentSku string = 'GlobalStandard'

@minValue(1)
param embedDeploymentCapacity int = 30

@description('Dimensions to ask the embedding model for (AZURE_OPENAI_EMBED_DIMENSIONS); 0 keeps the model default.')
@minValue(0)
param embedDimensions int = 0

// --- Azure AI Search ------------------------------------------------------------------------

@description('Name of the search service; default srch-<token>. With searchResourceGroupName, an existing service.')
param searchServiceName string = ''

@description('Resource group of an existing search service to use instead of creating one (not modified; it must allow role-based access).')
param searchResourceGroupName string = ''

@description('Location of the search service; default: location.')
param searchLocation string = ''

@allowed([
  'free'
  'basic'
  'standard'
  'standard2'
  'standard3'
  'storage_optimized_l1'
  'storage_optimized_l2'
])
param searchSku string = 'basic'

@description('Semantic ranker plan; must be disabled on the free tier.')
@allowed([
  'disabled'
  'free'
  'standard'
])
param searchSemanticRanker string = 'free'

@description('Index the app queries and ingestion creates (AZURE_SEARCH_INDEX).')
param searchIndexName string = 'gptkbindex'

// --- Storage --------------------------------------------------------------------------------

@description('Name of the storage account; default st<token>. With storageResourceGroupName, an existing account.')
param storageAccountName string = ''

@description('Resource group of an existing storage account to use instead of creating one (not modified).')
param storageResourceGroupName string = ''

@description('Blob container of the source files (AZURE_STORAGE_CONTAINER).')
param storageContainerName string = 'content'

// --- Login and access control (docs/auth.md) ------------------------------------------------

@description('Who may sign in (AUTH_PROVIDER): none (nobody; every document is public), entra (Microsoft Entra ID) or oidc (another OpenID Connect provider).')
@allowed([
  'none'
  'entra'
  'oidc'
])
param authProvider string = 'none'

@description('Entra tenant of the app registrations (AZURE_AUTH_TENANT_ID); default: the tenant of this deployment.')
param azureAuthTenantId string = tenant().tenantId

@description('Application (client) id of the API app registration, the one that exposes access_as_user (AZURE_SERVER_APP_ID).')
param azureServerAppId string = ''

@description('Application (client) id of the single-page app registration (AZURE_CLIENT_APP_ID).')
param azureClientAppId string = ''

@description('For oidc: the issuer, which must serve /.well-known/openid-configuration (AUTH_ISSUER).')
param authIssuer string = ''

@description('For oidc: the aud claim of the access tokens the app accepts (AUTH_AUDIENCE).')
param authAudience string = ''

@description('For oidc: client id of the public (PKCE) client the browser signs in with (AUTH_CLIENT_ID).')
param authClientId string = ''

@description('For oidc: the scopes the browser asks for (AUTH_SCOPES).')
param authScopes string = 'openid profile'

@description('The access-token claim that lists the groups of the caller (AUTH_GROUPS_CLAIM).')
param authGroupsClaim string = 'groups'

@description('Refuse anonymous callers (AUTH_REQUIRED); needs authProvider entra or oidc.')
param authRequired bool = false

@description('Let signed-in users upload documents only they can search (USER_UPLOAD); needs authProvider entra or oidc. Gives the app write access to the uploads container and to the index.')
param userUpload bool = false

@description('Largest upload in bytes (USER_UPLOAD_MAX_BYTES); default 10 MiB.')
@minValue(1024)
@maxValue(536870912)
param userUploadMaxBytes int = 10485760

@description('Most files one user keeps uploaded (USER_UPLOAD_MAX_FILES); default 100.')
@minValue(1)
@maxValue(100000)
param userUploadMaxFiles int = 100

@description('Blob container of the uploads (AZURE_USER_STORAGE_CONTAINER), in the storage account above; created only when userUpload.')
param userStorageContainerName string = 'user-content'

// --- Conversations and feedback (docs/history.md) ------------------------------------------

@description('Where conversations are kept (CHAT_HISTORY): browser (the IndexedDB of each browser), cosmos (Azure Cosmos DB, created below) or local (SQLite on the disk of a replica, which is not durable: lost when it restarts, and not shared between replicas).')
@allowed([
  'browser'
  'local'
  'cosmos'
])
param chatHistory string = 'browser'

@description('Cosmos DB database and container of the conversations (AZURE_CHAT_HISTORY_DATABASE, AZURE_CHAT_HISTORY_CONTAINER); created only with chatHistory cosmos.')
param chatHistoryDatabaseName string = 'chat-database'
param chatHistoryContainerName string = 'chat-history'

@description('Most conversations one user keeps (CHAT_HISTORY_MAX_SESSIONS); default 500.')
@minValue(1)
param chatHistoryMaxSessions int = 500

@description('Largest saved conversation in bytes, JSON-encoded (CHAT_HISTORY_MAX_BYTES); a Cosmos DB item holds at most 2 MB.')
@minValue(1024)
@maxValue(2000000)
param chatHistoryMaxBytes int = 1048576

@description('Object id of the group whose signed-in members may read the feedback of everyone (FEEDBACK_ADMIN_GROUP); empty: nobody.')
param feedbackAdminGroup string = ''

// --- Speech (answers read aloud) -----------------------------------------------------------

@description('Create Azure AI Speech and read answers aloud with it (POST /speech); off: the browser\'s own voices, where it has them.')
param useSpeechOutputAzure bool = false

@description('Location of the Speech resource; default: location.')
param speechLocation string = ''

@description('Voice that reads answers aloud (AZURE_SPEECH_SERVICE_VOICE); a multilingual one speaks the language of the UI.')
param speechVoice string = 'en-US-AvaMultilingualNeural'

// --- Web app --------------------------------------------------------------------------------

@description('Set by azd (SERVICE_WEB_RESOURCE_EXISTS): true once the container app exists, so provisioning keeps its image.')
param webAppExists bool = false

@description('vCPUs and memory per replica: a valid Container Apps pair such as 0.5/1Gi, 1.0/2Gi, 2.0/4Gi.')
param webCpu string = '0.5'
param webMemory string = '1Gi'

@description('Gunicorn workers per replica (WEB_CONCURRENCY); one async worker per vCPU, at least 1.')
@minValue(1)
param webConcurrency int = 1

@description('Answers per minute and client (RATE_LIMIT_PER_MINUTE): a signed-in user, else an address; 429 with Retry-After beyond. Counted per worker. 0 turns rate limiting off.')
@minValue(0)
param rateLimitPerMinute int = 30

@description('Answers a client may ask for at once before the per-minute rate applies (RATE_LIMIT_BURST).')
@minValue(1)
param rateLimitBurst int = 10

@description('Proxies whose X-Forwarded-For is believed (FORWARDED_ALLOW_IPS): Container Apps ingress reaches the app from the environment\'s private ranges, which no client on the internet can connect from.')
param forwardedAllowIps string = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10'

@minValue(0)
param webMinReplicas int = 1

@minValue(1)
param webMaxReplicas int = 3

// --- Names ----------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

var openAiName = !empty(openAiServiceName) ? openAiServiceName : 'oai-${resourceToken}'
var searchName = !empty(searchServiceName) ? searchServiceName : 'srch-${resourceToken}'
var storageName = !empty(storageAccountName) ? storageAccountName : 'st${resourceToken}'
var useCosmos = chatHistory == 'cosmos'

// An existing service is named by its resource group: this deployment then only assigns roles
// (in that resource group, which other environments may share: hence the unique module names).
var reuseOpenAi = !empty(openAiResourceGroupName)
var reuseSearch = !empty(searchResourceGroupName)
var reuseStorage = !empty(storageResourceGroupName)

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

// --- Shared infrastructure ------------------------------------------------------------------

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-web-${resourceToken}'
    location: location
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: 'cr${resourceToken}'
    location: location
    tags: tags
    pullPrincipalId: identity.outputs.principalId
  }
}

module containerAppsEnvironment 'modules/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  scope: rg
  params: {
    name: 'cae-${resourceToken}'
    location: location
    tags: tags
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

// --- Azure OpenAI ---------------------------------------------------------------------------

module openAi 'modules/openai.bicep' = if (!reuseOpenAi) {
  name: 'openai'
  scope: rg
  params: {
    name: openAiName
    location: !empty(openAiLocation) ? openAiLocation : location
    tags: tags
    deployments: [
      {
        name: chatDeploymentName
        model: {
          format: 'OpenAI'
          name: chatModelName
          version: chatModelVersion
        }
        sku: {
          name: chatDeploymentSku
          capacity: chatDeploymentCapacity
        }
      }
      {
        name: embedDeploymentName
        model: {
          format: 'OpenAI'
          name: embedModelName
          version: embedModelVersion
        }
        sku: {
          name: embedDeploymentSku
          capacity: embedDeploymentCapacity
        }
      }
    ]
  }
}

module openAiAccess 'modules/openai-access.bicep' = {
  name: 'openai-access-${resourceToken}'
  scope: resourceGroup(reuseOpenAi ? openAiResourceGroupName : rg.name)
  dependsOn: [
    openAi
  ]
  params: {
    accountName: openAiName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

// --- Azure AI Search ------------------------------------------------------------------------

module search 'modules/search.bicep' = if (!reuseSearch) {
  name: 'search'
  scope: rg
  params: {
    name: searchName
    location: !empty(searchLocation) ? searchLocation : location
    tags: tags
    sku: searchSku
    semanticSearch: searchSemanticRanker
  }
}

module searchAccess 'modules/search-access.bicep' = {
  name: 'search-access-${resourceToken}'
  scope: resourceGroup(reuseSearch ? searchResourceGroupName : rg.name)
  dependsOn: [
    search
  ]
  params: {
    searchServiceName: searchName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    userUpload: userUpload
  }
}

// --- Storage --------------------------------------------------------------------------------

module storage 'modules/storage.bicep' = if (!reuseStorage) {
  name: 'storage'
  scope: rg
  params: {
    name: storageName
    location: location
    tags: tags
    containerName: storageContainerName
  }
}

module storageAccess 'modules/storage-access.bicep' = {
  name: 'storage-access-${resourceToken}'
  scope: resourceGroup(reuseStorage ? storageResourceGroupName : rg.name)
  dependsOn: [
    storage
  ]
  params: {
    storageAccountName: storageName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    userUpload: userUpload
    userContainerName: userStorageContainerName
  }
}

// --- Conversations and feedback -------------------------------------------------------------

module cosmos 'modules/cosmos.bicep' = if (useCosmos) {
  name: 'cosmos'
  scope: rg
  params: {
    name: 'cosmos-${resourceToken}'
    location: location
    tags: tags
    databaseName: chatHistoryDatabaseName
    containerName: chatHistoryContainerName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

// --- Speech ---------------------------------------------------------------------------------

module speech 'modules/speech.bicep' = if (useSpeechOutputAzure) {
  name: 'speech'
  scope: rg
  params: {
    name: 'spch-${resourceToken}'
    location: !empty(speechLocation) ? speechLocation : location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

// --- Web app --------------------------------------------------------------------------------

// The settings the app reads (app/settings.py; the names are its environment variables): the
// container gets them, and so does the azd environment as outputs (below), which the
// postprovision ingestion and local runs (`azd env get-values > .env`) use.
var appSettings = {
  CHAT_PROVIDER: 'azure'
  SEARCH_BACKEND: 'azure'
  AZURE_OPENAI_ENDPOINT: openAiAccess.outputs.endpoint
  AZURE_OPENAI_CHAT_DEPLOYMENT: chatDeploymentName
  AZURE_OPENAI_EMBED_DEPLOYMENT: embedDeploymentName
  AZURE_SEARCH_ENDPOINT: searchAccess.outputs.endpoint
  AZURE_SEARCH_INDEX: searchIndexName
  AZURE_SEARCH_SEMANTIC_RANKER: searchSemanticRanker == 'disabled' ? 'false' : 'true'
  AZURE_STORAGE_ENDPOINT: storageAccess.outputs.blobEndpoint
  AZURE_STORAGE_CONTAINER: storageContainerName
  // Login: the app checks the combination at start-up (a missing app id stops it, with a message
  // naming the variable); ingestion reads the same values in the postprovision hook.
  AUTH_PROVIDER: authProvider
  AUTH_REQUIRED: authRequired ? 'true' : 'false'
  AZURE_AUTH_TENANT_ID: azureAuthTenantId
  AZURE_SERVER_APP_ID: azureServerAppId
  AZURE_CLIENT_APP_ID: azureClientAppId
  AUTH_ISSUER: authIssuer
  AUTH_AUDIENCE: authAudience
  AUTH_CLIENT_ID: authClientId
  AUTH_SCOPES: authScopes
  AUTH_GROUPS_CLAIM: authGroupsClaim
  USER_UPLOAD: userUpload ? 'true' : 'false'
  USER_UPLOAD_MAX_BYTES: string(userUploadMaxBytes)
  USER_UPLOAD_MAX_FILES: string(userUploadMaxFiles)
  AZURE_USER_STORAGE_CONTAINER: userStorageContainerName
  // Conversations and feedback: keyless with the app's identity (Cosmos DB's data-plane role).
  CHAT_HISTORY: chatHistory
  AZURE_COSMOSDB_ENDPOINT: useCosmos ? cosmos.outputs.endpoint : ''
  AZURE_CHAT_HISTORY_DATABASE: chatHistoryDatabaseName
  AZURE_CHAT_HISTORY_CONTAINER: chatHistoryContainerName
  CHAT_HISTORY_MAX_SESSIONS: string(chatHistoryMaxSessions)
  CHAT_HISTORY_MAX_BYTES: string(chatHistoryMaxBytes)
  FEEDBACK_ADMIN_GROUP: feedbackAdminGroup
  // Answers read aloud: keyless with the app's identity (Cognitive Services Speech User).
  AZURE_SPEECH_SERVICE_ID: useSpeechOutputAzure ? speech.outputs.id : ''
  AZURE_SPEECH_SERVICE_LOCATION: useSpeechOutputAzure ? speech.outputs.location : ''
  AZURE_SPEECH_SERVICE_VOICE: speechVoice
}

// Only the container gets these, not the outputs. AZURE_CLIENT_ID makes the app ask its managed
// identity first, which exists only on Azure; the telemetry connection string would send a
// developer's local runs to the production Application Insights. WEB_CONCURRENCY is read by
// gunicorn.conf.py (its default, the host's CPU count, is far more than a replica's share).
var containerOnlySettings = {
  AZURE_CLIENT_ID: identity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
  WEB_CONCURRENCY: string(webConcurrency)
  // Limits of a public deployment: off in local runs (a benchmark from one address measures the
  // app, not the limiter), on here. The client's address comes from the ingress's
  // X-Forwarded-For, believed only from the environment's own ranges.
  RATE_LIMIT_PER_MINUTE: string(rateLimitPerMinute)
  RATE_LIMIT_BURST: string(rateLimitBurst)
  FORWARDED_ALLOW_IPS: forwardedAllowIps
}

// Added only when asked for (AZURE_OPENAI_EMBED_DIMENSIONS in the azd environment, which the
// postprovision ingestion reads too), so documents and queries get the same dimensions.
var embedDimensionsSetting = {
  AZURE_OPENAI_EMBED_DIMENSIONS: string(embedDimensions)
}

module web 'modules/web.bicep' = {
  name: 'web'
  scope: rg
  dependsOn: [
    registry
  ]
  params: {
    name: 'ca-web-${resourceToken}'
    location: location
    tags: tags
    containerAppsEnvironmentId: containerAppsEnvironment.outputs.id
    registryLoginServer: registry.outputs.loginServer
    identityId: identity.outputs.id
    exists: webAppExists
    env: union(appSettings, containerOnlySettings, embedDimensions > 0 ? embedDimensionsSetting : {})
    cpu: webCpu
    memory: webMemory
    minReplicas: webMinReplicas
    maxReplicas: webMaxReplicas
  }
}

// --- Outputs: azd writes them into the environment (.azure/<env>/.env) ---------------------

// For azd itself.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output SERVICE_WEB_NAME string = web.outputs.name
output SERVICE_WEB_URI string = web.outputs.uri

// The app's settings, for the postprovision ingestion and for local runs.
output CHAT_PROVIDER string = appSettings.CHAT_PROVIDER
output SEARCH_BACKEND string = appSettings.SEARCH_BACKEND
output AZURE_OPENAI_ENDPOINT string = appSettings.AZURE_OPENAI_ENDPOINT
output AZURE_OPENAI_CHAT_DEPLOYMENT string = appSettings.AZURE_OPENAI_CHAT_DEPLOYMENT
output AZURE_OPENAI_EMBED_DEPLOYMENT string = appSettings.AZURE_OPENAI_EMBED_DEPLOYMENT
output AZURE_SEARCH_ENDPOINT string = appSettings.AZURE_SEARCH_ENDPOINT
output AZURE_SEARCH_INDEX string = appSettings.AZURE_SEARCH_INDEX
output AZURE_SEARCH_SEMANTIC_RANKER string = appSettings.AZURE_SEARCH_SEMANTIC_RANKER
output AZURE_STORAGE_ENDPOINT string = appSettings.AZURE_STORAGE_ENDPOINT
output AZURE_STORAGE_CONTAINER string = appSettings.AZURE_STORAGE_CONTAINER
output AUTH_PROVIDER string = appSettings.AUTH_PROVIDER
output AUTH_REQUIRED string = appSettings.AUTH_REQUIRED
output AZURE_AUTH_TENANT_ID string = appSettings.AZURE_AUTH_TENANT_ID
output AZURE_SERVER_APP_ID string = appSettings.AZURE_SERVER_APP_ID
output AZURE_CLIENT_APP_ID string = appSettings.AZURE_CLIENT_APP_ID
output AUTH_ISSUER string = appSettings.AUTH_ISSUER
output AUTH_AUDIENCE string = appSettings.AUTH_AUDIENCE
output AUTH_CLIENT_ID string = appSettings.AUTH_CLIENT_ID
output AUTH_SCOPES string = appSettings.AUTH_SCOPES
output AUTH_GROUPS_CLAIM string = appSettings.AUTH_GROUPS_CLAIM
output USER_UPLOAD string = appSettings.USER_UPLOAD
output USER_UPLOAD_MAX_BYTES string = appSettings.USER_UPLOAD_MAX_BYTES
output USER_UPLOAD_MAX_FILES string = appSettings.USER_UPLOAD_MAX_FILES
output AZURE_USER_STORAGE_CONTAINER string = appSettings.AZURE_USER_STORAGE_CONTAINER
output CHAT_HISTORY string = appSettings.CHAT_HISTORY
output AZURE_COSMOSDB_ENDPOINT string = appSettings.AZURE_COSMOSDB_ENDPOINT
output AZURE_CHAT_HISTORY_DATABASE string = appSettings.AZURE_CHAT_HISTORY_DATABASE
output AZURE_CHAT_HISTORY_CONTAINER string = appSettings.AZURE_CHAT_HISTORY_CONTAINER
output CHAT_HISTORY_MAX_SESSIONS string = appSettings.CHAT_HISTORY_MAX_SESSIONS
output CHAT_HISTORY_MAX_BYTES string = appSettings.CHAT_HISTORY_MAX_BYTES
output FEEDBACK_ADMIN_GROUP string = appSettings.FEEDBACK_ADMIN_GROUP
output AZURE_SPEECH_SERVICE_ID string = appSettings.AZURE_SPEECH_SERVICE_ID
output AZURE_SPEECH_SERVICE_LOCATION string = appSettings.AZURE_SPEECH_SERVICE_LOCATION
output AZURE_SPEECH_SERVICE_VOICE string = appSettings.AZURE_SPEECH_SERVICE_VOICE
