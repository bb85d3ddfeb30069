// Roles on a storage account (created by this deployment or an existing one), its blob endpoint
// and, when users may upload, their container. Deployed into the account's own resource group.

param storageAccountName string

@description('Principal id of the managed identity the web app runs as.')
param appPrincipalId string

@description('Object id of the developer (or CI principal) that runs ingestion; empty skips it.')
param userPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'

@description('Users upload their own documents: create their container and let the app write to it, and only to it.')
param userUpload bool = false

@description('Blob container of the uploads.')
param userContainerName string = 'user-content'

var blobDataReaderRoleId = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1' // Storage Blob Data Reader
var blobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: storage
  name: 'default'
}

// Made here rather than in storage.bicep so that an existing account gets it too: the role below
// needs it to exist, and the app's identity cannot create it.
resource userContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = if (userUpload) {
  parent: blobService
  name: userContainerName
  properties: {
    publicAccess: 'None'
  }
}

// The app only reads the source files that citations open.
resource appBlobReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, blobDataReaderRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataReaderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The app stores, replaces and deletes users' uploads: write access to their container only, not
// to the account (whose source files stay read-only for the app).
resource appUserContentContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (userUpload) {
  name: guid(storage.id, userContainerName, appPrincipalId, blobDataContributorRoleId)
  scope: userContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Ingestion uploads, replaces and deletes source files and writes their hash metadata.
resource userBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(storage.id, userPrincipalId, blobDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributorRoleId)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

output blobEndpoint string = storage.properties.primaryEndpoints.blob
