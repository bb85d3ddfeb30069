// Azure AI Search service, keyless: API keys are disabled, so every request signs in with
// Microsoft Entra ID and is authorized by role assignments.

param name string
param location string = resourceGroup().location
param tags object = {}

@allowed([
  'free'
  'basic'
  'standard'
  'standard2'
  'standard3'
  'storage_optimized_l1'
  'storage_optimized_l2'
])
param sku string = 'basic'

@description('Semantic ranker plan: free (1,000 queries a month), standard (pay per query) or disabled. Not available on the free tier.')
@allowed([
  'disabled'
  'free'
  'standard'
])
param semanticSearch string = 'free'

resource search 'Microsoft.Search/searchServices@2025-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    replicaCount: 1
    partitionCount: 1
    // Role-based access only. (authOptions must not be set together with this.)
    disableLocalAuth: true
    semanticSearch: semanticSearch
  }
}

output name string = search.name
