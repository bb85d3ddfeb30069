// Azure AI Speech for reading answers aloud (POST /speech), keyless: local (key) authentication
// is disabled, so the app signs in with its managed identity. Microsoft Entra tokens need the
// custom subdomain; the app sends them to the region's text-to-speech host in the form
// `aad#<resource id>#<token>`, which is why it gets the resource id and the location.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Principal id of the managed identity the web app runs as.')
param appPrincipalId string

@description('Object id of the developer (or CI principal) running azd, so local runs read aloud too; empty skips it.')
param userPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'

// Cognitive Services Speech User: speech to text and text to speech, no keys, no management.
var speechUserRoleId = 'f2dc8367-1007-4938-bd23-fe263f013447'

resource account 'Microsoft.CognitiveServices/accounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'SpeechServices'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
    }
  }
}

resource appSpeechUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, speechUserRoleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', speechUserRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userSpeechUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(account.id, userPrincipalId, speechUserRoleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', speechUserRoleId)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

output id string = account.id
output name string = account.name
output location string = account.location
