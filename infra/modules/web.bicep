// The web app: a Container App that runs the image azd builds (service `web` in azure.yaml),
// signed in to every Azure service as its user-assigned managed identity.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Resource id of the Container Apps environment.')
param containerAppsEnvironmentId string

@description('Login server of the registry the image is pulled from, e.g. cr123.azurecr.io.')
param registryLoginServer string

@description('Resource id of the user-assigned identity the app runs as (and pulls its image with).')
param identityId string

@description('Environment variables of the container: { NAME: value }.')
param env object

@description('True when the app exists already: keep its current image instead of the placeholder.')
param exists bool = false

@description('Port the container listens on (the image sets PORT=8000, which gunicorn.conf.py binds).')
param targetPort int = 8000

@description('vCPUs per replica; with memory it must be a valid pair, e.g. 0.5 and 1Gi, 1.0 and 2Gi.')
param cpu string = '0.5'
param memory string = '1Gi'

@minValue(0)
param minReplicas int = 1
@minValue(1)
param maxReplicas int = 3

// Before azd's first deploy there is no image of ours yet: start a public placeholder. It listens
// on port 80, so it gets no /healthz probes (only the platform's default TCP ones); our image gets
// them from the next provisioning on, which keeps the deployed image (exists).
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'

resource existingApp 'Microsoft.App/containerApps@2025-07-01' existing = if (exists) {
  name: name
}

var image = exists ? existingApp.properties.template.containers[0].image : placeholderImage
var runsOurImage = image != placeholderImage

var healthProbes = [
  {
    type: 'Startup'
    httpGet: {
      path: '/healthz'
      port: targetPort
    }
    // Up to a minute to start (Container Apps allows at most 10 failures, 60 s initial delay).
    initialDelaySeconds: 5
    periodSeconds: 5
    failureThreshold: 10
  }
  {
    type: 'Readiness'
    httpGet: {
      path: '/healthz'
      port: targetPort
    }
    periodSeconds: 10
    failureThreshold: 3
  }
  {
    type: 'Liveness'
    httpGet: {
      path: '/healthz'
      port: targetPort
    }
    periodSeconds: 30
    failureThreshold: 3
  }
]

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  // azd deploys the `web` service into the resource carrying this tag.
  tags: union(tags, { 'azd-service-name': 'web' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: containerAppsEnvironmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: targetPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryLoginServer
          identity: identityId
        }
      ]
    }
    template: {
      // gunicorn.conf.py lets open answer streams finish for up to 90 s on SIGTERM.
      terminationGracePeriodSeconds: 120
      containers: [
        {
          name: 'web'
          image: image
          env: [
            for item in items(env): {
              name: item.key
              value: string(item.value)
            }
          ]
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          probes: runsOurImage ? healthProbes : []
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
