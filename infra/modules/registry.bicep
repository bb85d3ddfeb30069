// Azure Container Registry for the web image, with AcrPull for the app's identity.
// No admin user: azd pushes with the developer's Microsoft Entra sign-in, the app pulls with
// its managed identity.

@description('Registry name: 5-50 letters and digits, globally unique.')
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Principal id of the managed identity that pulls images.')
param pullPrincipalId string

var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d' // AcrPull

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

resource pullRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullPrincipalId, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
// Lets the container app wait for the role assignment: it cannot pull its image without it.
output pullRoleAssignmentId string = pullRole.id
