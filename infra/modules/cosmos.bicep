// Azure Cosmos DB for NoSQL for conversations and answer feedback (CHAT_HISTORY=cosmos), keyless:
// local (key) authentication is disabled, so the app signs in with its managed identity and is
// authorized by a data-plane role assignment (Cosmos DB's own RBAC, not an Azure role).
// Serverless: billed per request unit and stored GB, nothing while idle; one region.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Database of the conversations (AZURE_CHAT_HISTORY_DATABASE).')
param databaseName string

@description('Container of the conversations and feedback (AZURE_CHAT_HISTORY_CONTAINER), partitioned by user id.')
param containerName string

@description('Principal id of the managed identity the web app runs as.')
param appPrincipalId string

@description('Object id of the developer (or CI principal) running azd, so local runs reach the same store; empty skips it.')
param userPrincipalId string = ''

// Cosmos DB Built-in Data Contributor: read, write, query and delete items; no keys, no changes
// to databases or containers (those come from this file).
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    // Entra ID only: the account keys cannot sign requests, nor change databases and containers.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

// One item per conversation and per feedback, in the partition of the user they belong to
// (app/history/cosmos.py: PARTITION_KEY_PATH).
resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: {
        paths: [
          '/user_id'
        ]
        kind: 'Hash'
      }
      // The app filters and sorts on type, user_id, rating, timestamp and sort_key only. The
      // answers and the texts copied into feedback are read whole, never queried: leaving them
      // out of the index keeps the request charge of a save low.
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [
          {
            path: '/*'
          }
        ]
        excludedPaths: [
          {
            path: '/answers/*'
          }
          {
            path: '/question/?'
          }
          {
            path: '/answer/?'
          }
          {
            path: '/comment/?'
          }
          {
            path: '/citations/*'
          }
          {
            path: '/settings/*'
          }
          {
            path: '/"_etag"/?'
          }
        ]
      }
    }
  }
}

resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, appPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: appPrincipalId
    scope: account.id
  }
}

// `azd env get-values > .env` gives local runs CHAT_HISTORY=cosmos and this endpoint.
resource userDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(userPrincipalId)) {
  parent: account
  name: guid(account.id, userPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: userPrincipalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
