// Log search alert rules over the app's custom telemetry (names fixed in shared/platform/telemetry/telemetry.ts
// and explained in docs/monitoring.md). Deployed only when an action group is given.

@description('Azure region of the alert rules.')
param location string

@description('Tags applied to the alert rules.')
param tags object

@description('Resource ID of the Application Insights component the queries run against.')
param appInsightsId string

@description('Resource ID of the action group notified when an alert fires.')
param actionGroupResourceId string

@description('Prefix of the alert rule names.')
param namePrefix string

@description('Hours without a successful FetchRun after which a connector counts as stalled.')
@minValue(1)
@maxValue(47)
param stalledAfterHours int

var poisonQuery = '''
customMetrics
| where name == "PoisonMessages"
| extend queue = tostring(customDimensions["queue"]), messages = todouble(coalesce(valueMax, value))
| where messages > 0
| project timestamp, queue, messages
'''

var failedItemsQuery = '''
customEvents
| where name == "ItemImport"
| extend connectorId = tostring(customDimensions["connectorId"]), outcome = tostring(customDimensions["outcome"])
| where outcome == "failed"
| project timestamp, connectorId
'''

// One row per connector whose last successful run is older than the threshold (or that has
// run without success in the query window). Connectors that emitted nothing for two days are
// out of the window; docs/monitoring.md covers that case.
var stalledConnectorsQuery = '''
customEvents
| where name == "FetchRun"
| extend connectorId = tostring(customDimensions["connectorId"]), status = tostring(customDimensions["status"])
| summarize lastSuccess = maxif(timestamp, status == "succeeded") by connectorId
| extend hoursSinceSuccess = iff(isnull(lastSuccess), 48.0, (now() - lastSuccess) / 1h)
| where hoursSinceSuccess > {0}
| project connectorId, hoursSinceSuccess, lastSuccess = tostring(lastSuccess)
'''

resource poisonMessages 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-poison-messages'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'TeleMessage archiver: messages in a poison queue'
    description: 'PoisonMessages > 0 for a queue (fetch-jobs-poison or webjobs-blobtrigger-poison): a fetch job or an item failed every retry. See docs/monitoring.md.'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: poisonQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'messages'
          dimensions: [
            {
              name: 'queue'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroupResourceId
      ]
    }
  }
}

resource failedItems 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-failed-items'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'TeleMessage archiver: item imports failed'
    description: 'ItemImport events with outcome "failed" for a connector. See docs/monitoring.md.'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: failedItemsQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'connectorId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroupResourceId
      ]
    }
  }
}

resource stalledConnectors 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-stalled-connectors'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'TeleMessage archiver: connector without a successful run'
    description: 'A connector has had no successful FetchRun for ${stalledAfterHours} hours. See docs/monitoring.md.'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    overrideQueryTimeRange: 'P2D'
    criteria: {
      allOf: [
        {
          query: format(stalledConnectorsQuery, stalledAfterHours)
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'connectorId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroupResourceId
      ]
    }
  }
}
