// Azure OpenAI account (keyless: local auth disabled) with the chat and embedding deployments.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Subdomain of the endpoint (https://<subdomain>.openai.azure.com); required for Microsoft Entra sign-in.')
param customSubDomainName string = name

@description('Model deployments: [{ name, model: { format, name, version }, sku: { name, capacity } }].')
param deployments array

resource account 'Microsoft.CognitiveServices/accounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: customSubDomainName
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
    }
  }
}

// One at a time: the service rejects concurrent deployment changes on one account.
@batchSize(1)
resource modelDeployments 'Microsoft.CognitiveServices/accounts/deployments@2025-06-01' = [
  for deployment in deployments: {
    parent: account
    name: deployment.name
    sku: deployment.sku
    properties: {
      model: deployment.model
    }
  }
]

output name string = account.name
output endpoint string = account.properties.endpoint
