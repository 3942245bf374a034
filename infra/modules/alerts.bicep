// Log search alert rules over the app's custom telemetry (names fixed in shared/platform/telemetry/telemetry.ts
// and explained in docs/monitoring.md), and metric alerts on the Event Grid system topic that feeds
// the blob trigger. Deployed only when an action group is given.

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

@description('Event Grid system topics that feed blob triggers (label, resource ID): the items topic and the drop zone topic; none on the Dedicated plan.')
param systemTopics {
  @description('Short name used in the alert rule names.')
  label: string
  @description('Resource ID of the system topic.')
  id: string
}[]

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

// UnreconciledDays: days (per connector) that ended some hours ago and are still not reconciled,
// emitted by the daily reconciliation with trackMetric (docs/monitoring.md).
var unreconciledQuery = '''
customMetrics
| where name == "UnreconciledDays"
| extend connectorId = tostring(customDimensions["connectorId"]), days = todouble(coalesce(valueMax, value))
| where days > 0
| project timestamp, connectorId, days
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

resource unreconciledDays 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-unreconciled-days'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'TeleMessage archiver: days not reconciled'
    description: 'UnreconciledDays > 0 for a connector: a day that ended some hours ago is not proven complete (an item listed by TeleMessage not stored, or a stored item not accounted for). See docs/monitoring.md.'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    criteria: {
      allOf: [
        {
          query: unreconciledQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'days'
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

// Event Grid: an event dead-lettered means an item's BlobCreated event never reached importItem
// (the item is stored but not imported until replayed); failed deliveries are the early warning.
var eventGridMetrics = [
  {
    name: 'dead-letters'
    metric: 'DeadLetteredCount'
    severity: 1
    description: 'Event Grid dead-lettered BlobCreated events into the eventgrid-deadletter container: stored blobs that never reached their function. See docs/monitoring.md.'
  }
  {
    name: 'delivery-failures'
    metric: 'DeliveryAttemptFailCount'
    severity: 2
    description: 'Event Grid failed to deliver BlobCreated events to the blob trigger webhook (it retries for 24 hours). See docs/monitoring.md.'
  }
]
var eventGridAlerts = flatten(map(systemTopics, topic => map(eventGridMetrics, metric => {
  name: 'eventgrid-${topic.label}-${metric.name}'
  topicId: topic.id
  metric: metric.metric
  severity: metric.severity
  description: metric.description
})))

resource eventGridMetricAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for alert in eventGridAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: 'global'
    tags: tags
    properties: {
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        alert.topicId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: alert.metric
            metricName: alert.metric
            metricNamespace: 'Microsoft.EventGrid/systemTopics'
            timeAggregation: 'Total'
            operator: 'GreaterThan'
            threshold: 0
          }
        ]
      }
      autoMitigate: true
      actions: [
        {
          actionGroupId: actionGroupResourceId
        }
      ]
    }
  }
]
