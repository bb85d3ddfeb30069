// Roles on an Azure AI Search service (created by this deployment or an existing one), and its
// endpoint. Deployed into the service's own resource group.

param searchServiceName string

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

@description('Users upload their own documents: the app then writes (and deletes) their chunks in the index.')
param userUpload bool = false

var searchIndexDataReaderRoleId = '1407120a-92aa-4202-b7e9-c0e197c71c8f' // query indexes
var searchIndexDataContributorRoleId = '8ebe5a00-799e-43f5-93ac-243d3dce84a7' // load documents
var searchServiceContributorRoleId = '7ca78c08-252a-4471-8644-bb5ff32d4ba0' // create indexes

resource search 'Microsoft.Search/searchServices@2025-05-01' existing = {
  name: searchServiceName
}

resource appIndexReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(search.id, appPrincipalId, searchIndexDataReaderRoleId)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', searchIndexDataReaderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Users' uploads: the app indexes and removes each user's own files. Index data only: the index
// definition stays with ingestion (Search Service Contributor is never the app's).
resource appIndexContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (userUpload) {
  name: guid(search.id, appPrincipalId, searchIndexDataContributorRoleId)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', searchIndexDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Ingestion uploads and deletes documents...
resource userIndexContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(search.id, userPrincipalId, searchIndexDataContributorRoleId)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', searchIndexDataContributorRoleId)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// ...and creates or updates the index definition.
resource userServiceContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(search.id, userPrincipalId, searchServiceContributorRoleId)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', searchServiceContributorRoleId)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

output endpoint string = 'https://${search.name}.search.windows.net'
