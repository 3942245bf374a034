import { EML_DROP_CONTAINER, emlDropFolder } from '../../shared/eml-drop/drop-zone';
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppSettings } from '../../shared/platform/settings/app-settings';
import { findRepoRoot } from './bicep-source';
import { CompiledTemplates, PredictedResource, Snapshot, extensionScope, isType, loadCompiledTemplates } from './compiled-templates';

/**
 * The security posture of the deployment, read from what Bicep compiles for each parameter
 * combination (infra/params/*.bicepparam, compiled by infra/check.sh with `bicep snapshot`): what
 * docs/deployment.md promises a bank's reviewer, so that a later change cannot silently undo it.
 *
 * Without the Bicep CLI (no dotnet on this machine) these tests are skipped and say so; CI sets
 * BICEP_REQUIRED=1, which makes infra/check.sh fail instead, and these tests too.
 */

const CLOUDS = ['AzureCloud', 'AzureUSGovernment', 'AzureUSGovernmentL5', 'AzureChinaCloud'] as const;
type Cloud = (typeof CLOUDS)[number];

interface CloudFacts {
  azureEnvironment: string;
  graphEndpoint: string;
  flexConsumption: boolean;
  appInsightsEntraAuth: boolean;
}

interface Combination {
  name: string;
  cloud: Cloud;
  isolated: boolean;
}

/** The parameter sets CI compiles: public and isolated networking in every cloud. */
const COMBINATIONS: Combination[] = CLOUDS.flatMap((cloud) => [
  { name: `public-${cloud.toLowerCase()}`, cloud, isolated: false },
  { name: `isolated-${cloud.toLowerCase()}`, cloud, isolated: true },
]);

/** Resource types whose logs or metrics must reach Log Analytics (docs/deployment.md, "Audit logs"). */
const AUDITED_TYPES = [
  'Microsoft.KeyVault/vaults',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Storage/storageAccounts/blobServices',
  'Microsoft.Storage/storageAccounts/queueServices',
  'Microsoft.Storage/storageAccounts/tableServices',
  'Microsoft.Web/sites',
  'Microsoft.EventGrid/systemTopics',
  'Microsoft.OperationalInsights/workspaces',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Network/networkSecurityGroups',
];

/** Built-in role definition IDs, as documented in docs/deployment.md. */
const ROLE = {
  blobOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  blobContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  blobReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  queueContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  tableContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  tableReader: '76199698-9eea-4c19-bc75-cec21354c6b6',
  secretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  secretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  metricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

/** The group IDs the isolated parameter sets pass (infra/params/isolated-*.bicepparam). */
const OPERATOR_GROUP = '0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e';
const AUDITOR_GROUP = '5f5f5f5f-6a6a-4b7b-8c8c-9d9d9d9d9d9d';

/** Settings only the Functions host or the platform reads, per plan and cloud. */
const FLEX_FORBIDDEN = ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_CONTENTSHARE', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING'];
const DEDICATED_HOST_SETTINGS = ['FUNCTIONS_EXTENSION_VERSION', 'FUNCTIONS_WORKER_RUNTIME', 'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID'];
const LOCAL_ONLY = new Set<string>([AppSettings.storage, AppSettings.dropZoneStorage, AppSettings.graphClientSecret, AppSettings.graphDevToken, AppSettings.adminWebLocalSignIn]);

let compiled: CompiledTemplates | undefined;
let notCompiled = '';
let clouds: Record<Cloud, CloudFacts>;

before(async () => {
  const repoRoot = findRepoRoot(__dirname);
  clouds = JSON.parse(await readFile(path.join(repoRoot, 'infra', 'national-clouds.json'), 'utf8')) as Record<Cloud, CloudFacts>;
  const result = await loadCompiledTemplates(repoRoot);
  if (result.kind === 'compiled') compiled = result.templates;
  else if (process.env.BICEP_REQUIRED === '1') throw new Error(`${result.reason}, and BICEP_REQUIRED=1`);
  else notCompiled = result.reason;
});

function get(value: unknown, dotted: string): unknown {
  let current = value;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function all(snapshot: Snapshot, type: string): PredictedResource[] {
  return snapshot.predictedResources.filter((r) => isType(r, type));
}

function one(snapshot: Snapshot, type: string, where = ''): PredictedResource {
  const found = all(snapshot, type);
  assert.equal(found.length, 1, `${where}: expected one ${type}, found ${found.length}`);
  return found[0]!;
}

/** The SFTP drop zone account (infra/modules/drop-zone.bicep) or one of its children. */
function isDropZone(resource: PredictedResource): boolean {
  return /^st[a-z0-9]+drop(\/|$)/.test(resource.name);
}

function roleId(resource: PredictedResource): string {
  return String(get(resource, 'properties.roleDefinitionId')).split('/').pop()!;
}

/** Runs `check` on each combination's snapshot, or skips saying why there are none. */
function forEachCombination(title: string, check: (snapshot: Snapshot, combination: Combination) => void, only?: (c: Combination) => boolean): void {
  test(title, (t) => {
    if (!compiled) {
      t.skip(`Bicep check NOT run: ${notCompiled}`);
      return;
    }
    const selected = COMBINATIONS.filter(only ?? (() => true));
    assert.ok(selected.length > 0);
    for (const combination of selected) {
      const snapshot = compiled.snapshots.get(combination.name);
      assert.ok(snapshot, `no snapshot for ${combination.name}`);
      check(snapshot, combination);
    }
  });
}

describe('compiled templates', () => {
  test('exist for public and isolated networking in every cloud, and compile without diagnostics', (t) => {
    if (!compiled) {
      t.skip(`Bicep check NOT run: ${notCompiled}`);
      return;
    }
    assert.deepEqual([...compiled.snapshots.keys()].sort(), COMBINATIONS.map((c) => c.name).sort());
    for (const [name, snapshot] of compiled.snapshots) assert.deepEqual(snapshot.diagnostics, [], name);
    assert.deepEqual(compiled.main.parameters.cloud?.allowedValues, [...CLOUDS]);
  });

  test('main.parameters.sample.json names only parameters main.bicep has', async (t) => {
    if (!compiled) {
      t.skip(`Bicep check NOT run: ${notCompiled}`);
      return;
    }
    const sample = JSON.parse(await readFile(path.join(findRepoRoot(__dirname), 'infra', 'main.parameters.sample.json'), 'utf8')) as { parameters: Record<string, unknown> };
    const unknown = Object.keys(sample.parameters).filter((name) => !(name in compiled!.main.parameters));
    assert.deepEqual(unknown, []);
  });
});

describe('deployment posture', () => {
  forEachCombination('refuses to deploy into another Azure cloud than the cloud parameter names', (snapshot, { name, cloud }) => {
    const expected = `equals(environment().name, '${clouds[cloud].azureEnvironment}')`;
    const extensions = ['Microsoft.Authorization/roleAssignments', 'Microsoft.Insights/diagnosticSettings'];
    for (const resource of snapshot.predictedResources) {
      // Child resources (a type with more than one segment) and extension resources carry no tags.
      const child = resource.type.split('/').length > 2;
      if (child || extensions.some((type) => isType(resource, type))) continue;
      const tag = String(get(resource, 'tags.archiver-cloud'));
      assert.ok(tag.includes(expected) && tag.includes('fail('), `${name}: ${resource.type} ${resource.name} lacks the cloud check`);
    }
  });

  forEachCombination('sends the logs of every resource that has them to Log Analytics', (snapshot, { name }) => {
    const workspace = one(snapshot, 'Microsoft.OperationalInsights/workspaces', name);
    const settings = all(snapshot, 'Microsoft.Insights/diagnosticSettings');
    const audited = snapshot.predictedResources.filter((r) => AUDITED_TYPES.some((type) => isType(r, type)));
    assert.ok(audited.length >= 10, `${name}: ${audited.length} audited resources`);
    for (const resource of audited) {
      const setting = settings.find((s) => extensionScope(s).toLowerCase() === resource.id.toLowerCase());
      assert.ok(setting, `${name}: no diagnostic setting on ${resource.type} ${resource.name}`);
      assert.equal(get(setting, 'properties.workspaceId'), workspace.id, `${name}: ${resource.name} logs elsewhere`);
      const logs = (get(setting, 'properties.logs') ?? []) as { categoryGroup?: string; enabled: boolean }[];
      const metrics = (get(setting, 'properties.metrics') ?? []) as { enabled: boolean }[];
      if (isType(resource, 'Microsoft.Storage/storageAccounts')) {
        // The account has metrics only; its reads, writes and deletes are logged per service.
        assert.ok(metrics.some((m) => m.enabled), `${name}: ${resource.name} metrics`);
      } else {
        assert.ok(
          logs.some((l) => l.enabled && (l.categoryGroup === 'allLogs' || l.categoryGroup === 'audit')),
          `${name}: ${resource.type} ${resource.name} does not send its audit logs`,
        );
      }
    }
    // Audit tables kept longer than the workspace default.
    for (const table of all(snapshot, 'Microsoft.OperationalInsights/workspaces/tables')) {
      assert.ok(Number(get(table, 'properties.totalRetentionInDays')) >= 90, `${name}: ${table.name}`);
    }
    assert.ok(all(snapshot, 'Microsoft.OperationalInsights/workspaces/tables').some((t) => t.name.endsWith('/StorageBlobLogs')));
  });

  forEachCombination('locks the function app down: no basic auth, no FTP, HTTPS and TLS 1.2 only', (snapshot, { name }) => {
    const site = one(snapshot, 'Microsoft.Web/sites', name);
    assert.equal(get(site, 'properties.httpsOnly'), true, name);
    assert.equal(get(site, 'properties.siteConfig.ftpsState'), 'Disabled', name);
    assert.equal(get(site, 'properties.siteConfig.minTlsVersion'), '1.2', name);
    assert.equal(get(site, 'properties.siteConfig.scmMinTlsVersion'), '1.2', name);
    assert.match(String(get(site, 'properties.publicNetworkAccess')), /^(Enabled|Disabled)$/, `${name}: public network access explicit`);
    assert.equal(get(site, 'identity.type'), 'UserAssigned', name);
    const policies = all(snapshot, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    assert.deepEqual(policies.map((p) => p.name.split('/').pop()).sort(), ['ftp', 'scm'], name);
    for (const policy of policies) assert.equal(get(policy, 'properties.allow'), false, `${name}: ${policy.name}`);
  });

  forEachCombination('protects stored data: Entra only, versioning, soft delete, Log Analytics local auth off', (snapshot, { name, cloud }) => {
    for (const account of all(snapshot, 'Microsoft.Storage/storageAccounts')) {
      assert.equal(get(account, 'properties.allowSharedKeyAccess'), false, `${name}: ${account.name}`);
      assert.equal(get(account, 'properties.allowBlobPublicAccess'), false, `${name}: ${account.name}`);
      assert.equal(get(account, 'properties.minimumTlsVersion'), 'TLS1_2', `${name}: ${account.name}`);
    }
    for (const blobService of all(snapshot, 'Microsoft.Storage/storageAccounts/blobServices')) {
      // The SFTP drop zone (hierarchical namespace) holds transient ZIPs and has no versioning.
      if (!isDropZone(blobService)) assert.equal(get(blobService, 'properties.isVersioningEnabled'), true, `${name}: ${blobService.name}`);
      assert.equal(get(blobService, 'properties.deleteRetentionPolicy.enabled'), true, `${name}: ${blobService.name}`);
      assert.ok(Number(get(blobService, 'properties.deleteRetentionPolicy.days')) >= 7, `${name}: ${blobService.name}`);
      assert.equal(get(blobService, 'properties.deleteRetentionPolicy.allowPermanentDelete'), false, `${name}: ${blobService.name}`);
      assert.equal(get(blobService, 'properties.containerDeleteRetentionPolicy.enabled'), true, `${name}: ${blobService.name}`);
    }
    const vault = one(snapshot, 'Microsoft.KeyVault/vaults', name);
    assert.equal(get(vault, 'properties.enableRbacAuthorization'), true, name);
    assert.equal(get(vault, 'properties.enablePurgeProtection'), true, name);
    const workspace = one(snapshot, 'Microsoft.OperationalInsights/workspaces', name);
    assert.equal(get(workspace, 'properties.features.disableLocalAuth'), true, name);
    const insights = one(snapshot, 'Microsoft.Insights/components', name);
    assert.equal(get(insights, 'properties.DisableLocalAuth'), clouds[cloud].appInsightsEntraAuth, `${name}: App Insights local auth per cloud`);
  });

  forEachCombination('gives the app identity its six data roles at the documented scopes, and Key Vault Secrets Officer with the admin web page', (snapshot, { name }) => {
    const identityAssignments = all(snapshot, 'Microsoft.Authorization/roleAssignments').filter((r) =>
      String(get(r, 'properties.principalId')).includes('Microsoft.ManagedIdentity/userAssignedIdentities'),
    );
    const granted = identityAssignments.map((r) => `${roleId(r)} ${extensionScope(r).split('/providers/')[1]}`).sort();
    const accounts = all(snapshot, 'Microsoft.Storage/storageAccounts');
    const pipeline = accounts.find((a) => a.name.endsWith('data'));
    const deployment = accounts.find((a) => a.name.endsWith('pkg'));
    const dropZone = accounts.find(isDropZone);
    assert.ok(pipeline && deployment, `${name}: the pipeline and deployment accounts`);
    const vault = one(snapshot, 'Microsoft.KeyVault/vaults', name);
    const insights = one(snapshot, 'Microsoft.Insights/components', name);
    const scope = (r: PredictedResource): string => r.id.split('/providers/')[1]!;
    assert.deepEqual(
      granted,
      [
        `${ROLE.blobOwner} ${scope(pipeline)}`,
        `${ROLE.queueContributor} ${scope(pipeline)}`,
        `${ROLE.tableContributor} ${scope(pipeline)}`,
        `${ROLE.blobContributor} ${scope(deployment)}`,
        `${ROLE.secretsUser} ${scope(vault)}`,
        `${ROLE.metricsPublisher} ${scope(insights)}`,
        // The page's add-connector wizard stores the password it was given.
        ...(all(snapshot, 'Microsoft.Web/sites/config').some((c) => c.name.endsWith('/authsettingsV2')) ? [`${ROLE.secretsOfficer} ${scope(vault)}`] : []),
        // The importEmlDrop blob trigger on the drop zone: blobs, and its poison queue there.
        ...(dropZone ? [`${ROLE.blobOwner} ${scope(dropZone)}`, `${ROLE.queueContributor} ${scope(dropZone)}`] : []),
      ].sort(),
      name,
    );
  });

  forEachCombination('gives people no standing role at all when no group is named', (snapshot, { name }) => {
    const people = all(snapshot, 'Microsoft.Authorization/roleAssignments').filter((r) => get(r, 'properties.principalType') !== 'ServicePrincipal');
    assert.deepEqual(people, [], name);
  }, (c) => !c.isolated);

  forEachCombination('scopes the operator and auditor groups to containers, tables, queues and the vault', (snapshot, { name }) => {
    const groups = all(snapshot, 'Microsoft.Authorization/roleAssignments').filter((r) => get(r, 'properties.principalType') === 'Group');
    const grants = groups
      .map((r) => {
        const target = extensionScope(r);
        const child = /\/(containers|tables|queues)\/([^/]+)$/.exec(target);
        const where = child ? `${child[1]}/${child[2]}` : /\/vaults\/[^/]+$/.test(target) ? 'vault' : `ACCOUNT-WIDE ${target}`;
        const who = get(r, 'properties.principalId') === OPERATOR_GROUP ? 'operator' : get(r, 'properties.principalId') === AUDITOR_GROUP ? 'auditor' : 'someone else';
        return `${who} ${roleId(r)} ${where}`;
      })
      .sort();
    assert.deepEqual(
      grants,
      [
        `operator ${ROLE.blobContributor} containers/mapping-files`,
        `operator ${ROLE.blobContributor} containers/archive-items`,
        `operator ${ROLE.blobContributor} containers/quarantine`,
        `operator ${ROLE.tableContributor} tables/connectors`,
        `operator ${ROLE.tableContributor} tables/runs`,
        `operator ${ROLE.tableContributor} tables/imports`,
        `operator ${ROLE.tableContributor} tables/audit`,
        `operator ${ROLE.queueContributor} queues/fetch-jobs`,
        `operator ${ROLE.queueContributor} queues/fetch-jobs-poison`,
        `operator ${ROLE.queueContributor} queues/webjobs-blobtrigger-poison`,
        `operator ${ROLE.secretsOfficer} vault`,
        `auditor ${ROLE.blobReader} containers/archive-items`,
        `auditor ${ROLE.blobReader} containers/archive-attachments`,
        `auditor ${ROLE.blobReader} containers/quarantine`,
        `auditor ${ROLE.tableReader} tables/connectors`,
        `auditor ${ROLE.tableReader} tables/runs`,
        `auditor ${ROLE.tableReader} tables/imports`,
        `auditor ${ROLE.tableReader} tables/audit`,
      ].sort(),
      name,
    );
  }, (c) => c.isolated);

  forEachCombination('opens nothing to public networks in isolated mode', (snapshot, { name, cloud }) => {
    // The SFTP drop zone is the one exception, checked on its own below: TeleMessage delivers
    // from outside, through a firewall that lets only its address ranges in.
    for (const account of all(snapshot, 'Microsoft.Storage/storageAccounts').filter((a) => !isDropZone(a))) {
      assert.equal(get(account, 'properties.publicNetworkAccess'), 'Disabled', `${name}: ${account.name}`);
      assert.equal(get(account, 'properties.networkAcls.defaultAction'), 'Deny', `${name}: ${account.name}`);
    }
    const vault = one(snapshot, 'Microsoft.KeyVault/vaults', name);
    assert.equal(get(vault, 'properties.publicNetworkAccess'), 'Disabled', name);
    for (const type of ['Microsoft.OperationalInsights/workspaces', 'Microsoft.Insights/components']) {
      const resource = one(snapshot, type, name);
      assert.equal(get(resource, 'properties.publicNetworkAccessForIngestion'), 'Disabled', `${name}: ${type}`);
      assert.equal(get(resource, 'properties.publicNetworkAccessForQuery'), 'Disabled', `${name}: ${type}`);
    }
    const scope = one(snapshot, 'Microsoft.Insights/privateLinkScopes', name);
    assert.deepEqual(get(scope, 'properties.accessModeSettings'), { ingestionAccessMode: 'PrivateOnly', queryAccessMode: 'PrivateOnly' }, name);
    assert.equal(all(snapshot, 'Microsoft.Insights/privateLinkScopes/scopedResources').length, 2, `${name}: workspace and App Insights in the scope`);

    // The app: outbound through the VNet; inbound only from Event Grid (Flex, which pushes) or
    // from nobody (Dedicated, which polls); the SCM site only from the listed deployment ranges.
    const site = one(snapshot, 'Microsoft.Web/sites', name);
    assert.match(String(get(site, 'properties.virtualNetworkSubnetId')), /\/subnets\/snet-app$/, name);
    assert.equal(get(site, 'properties.siteConfig.ipSecurityRestrictionsDefaultAction'), 'Deny', name);
    assert.equal(get(site, 'properties.siteConfig.scmIpSecurityRestrictionsDefaultAction'), 'Deny', name);
    const rules = get(site, 'properties.siteConfig.ipSecurityRestrictions') as { action: string; tag: string; ipAddress: string }[];
    if (clouds[cloud].flexConsumption) {
      assert.equal(get(site, 'properties.publicNetworkAccess'), 'Enabled', `${name}: Event Grid needs the public endpoint`);
      assert.deepEqual(rules.map((r) => `${r.action} ${r.tag} ${r.ipAddress}`), ['Allow ServiceTag AzureEventGrid'], name);
    } else {
      assert.equal(get(site, 'properties.publicNetworkAccess'), 'Disabled', name);
      assert.deepEqual(rules, [], name);
    }
    const scmRules = get(site, 'properties.siteConfig.scmIpSecurityRestrictions') as { action: string; ipAddress: string }[];
    assert.deepEqual(scmRules.map((r) => `${r.action} ${r.ipAddress}`), ['Allow 203.0.113.0/28'], name);

    // A private endpoint, with its DNS zone group, for every service the app or an operator uses.
    const endpoints = all(snapshot, 'Microsoft.Network/privateEndpoints');
    const targets = endpoints.map((e) => {
      const connection = (get(e, 'properties.privateLinkServiceConnections') as { properties: { privateLinkServiceId: string; groupIds: string[] } }[])[0]!;
      const target = connection.properties.privateLinkServiceId.split('/providers/')[1]!;
      const account = target.endsWith('pkg') ? ' (deployment)' : target.endsWith('drop') ? ' (drop zone)' : '';
      return `${target.split('/')[0]} ${connection.properties.groupIds.join(',')}${account}`;
    });
    assert.deepEqual(
      targets.sort(),
      [
        'Microsoft.Storage blob',
        'Microsoft.Storage queue',
        'Microsoft.Storage table',
        'Microsoft.Storage blob (deployment)',
        'Microsoft.Storage blob (drop zone)',
        'Microsoft.Storage queue (drop zone)',
        'Microsoft.KeyVault vault',
        'Microsoft.Web sites',
        'microsoft.insights azuremonitor',
      ].sort(),
      name,
    );
    const zoneGroups = all(snapshot, 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups');
    assert.equal(zoneGroups.length, endpoints.length, `${name}: every endpoint registers in DNS`);

    // Zones of Azure services are named from environment(), the others from the cloud table.
    const zones = all(snapshot, 'Microsoft.Network/privateDnsZones').map((z) => z.name);
    for (const service of ['blob', 'queue', 'table']) {
      assert.ok(zones.includes(`[format('privatelink.${service}.{0}', environment().suffixes.storage)]`), `${name}: ${service} zone from environment()`);
    }
    assert.ok(zones.includes("[format('privatelink{0}', environment().suffixes.keyvaultDns)]"), `${name}: vault zone from environment()`);
    assert.equal(all(snapshot, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks').length, zones.length, `${name}: every zone linked to the VNet`);
  }, (c) => c.isolated);

  forEachCombination('keeps the quick start public and without a virtual network', (snapshot, { name }) => {
    for (const account of all(snapshot, 'Microsoft.Storage/storageAccounts')) {
      assert.equal(get(account, 'properties.publicNetworkAccess'), 'Enabled', `${name}: ${account.name}`);
    }
    assert.deepEqual(all(snapshot, 'Microsoft.Network/virtualNetworks'), [], name);
    assert.deepEqual(all(snapshot, 'Microsoft.Network/privateEndpoints'), [], name);
    assert.equal(get(one(snapshot, 'Microsoft.Web/sites', name), 'properties.siteConfig.ipSecurityRestrictionsDefaultAction'), 'Allow', name);
  }, (c) => !c.isolated);
});

describe('hosting per cloud', () => {
  forEachCombination('runs Flex Consumption with the Event Grid blob trigger where offered, else a Dedicated Linux plan that polls', (snapshot, { name, cloud }) => {
    const plan = one(snapshot, 'Microsoft.Web/serverfarms', name);
    const site = one(snapshot, 'Microsoft.Web/sites', name);
    const appSettingsResource = all(snapshot, 'Microsoft.Web/sites/config').find((c) => c.name.endsWith('/appsettings'));
    assert.ok(appSettingsResource, `${name}: app settings`);
    const settings = get(appSettingsResource, 'properties') as Record<string, string>;
    const identity = one(snapshot, 'Microsoft.ManagedIdentity/userAssignedIdentities', name);
    const appSettingNames = Object.values(AppSettings).filter((n) => !LOCAL_ONLY.has(n));
    const hostSettings = Object.keys(settings).filter((n) => !(appSettingNames as string[]).includes(n));

    assert.equal(settings[AppSettings.graphEndpoint], clouds[cloud].graphEndpoint, name);
    assert.deepEqual(
      appSettingNames.filter((n) => !(n in settings)),
      [],
      `${name}: every setting the loader reads in Azure`,
    );
    if (clouds[cloud].flexConsumption) {
      assert.deepEqual(get(plan, 'sku'), { tier: 'FlexConsumption', name: 'FC1' }, name);
      assert.deepEqual(get(site, 'properties.functionAppConfig.runtime'), { name: 'node', version: '22' }, `${name}: Node 22`);
      assert.equal(settings[AppSettings.blobTriggerSource], 'EventGrid', name);
      for (const forbidden of FLEX_FORBIDDEN) assert.ok(!(forbidden in settings), `${name}: ${forbidden} on Flex Consumption`);
      assert.ok(all(snapshot, 'Microsoft.EventGrid/systemTopics').some((t) => !t.name.endsWith('-drop')), `${name}: the items topic`);
    } else {
      assert.equal(get(plan, 'kind'), 'linux', name);
      assert.equal(get(plan, 'properties.reserved'), true, name);
      assert.equal(get(plan, 'sku.name'), 'P1v3', name);
      assert.equal(get(site, 'properties.functionAppConfig') ?? null, null, name);
      assert.equal(get(site, 'properties.siteConfig.linuxFxVersion'), 'NODE|22', `${name}: Node 22`);
      assert.equal(get(site, 'properties.siteConfig.alwaysOn'), true, `${name}: the polling trigger needs Always On`);
      assert.equal(settings[AppSettings.blobTriggerSource], 'LogsAndContainerScan', name);
      assert.equal(settings.FUNCTIONS_EXTENSION_VERSION, '~4', name);
      assert.equal(settings.FUNCTIONS_WORKER_RUNTIME, 'node', name);
      assert.equal(settings.WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID, identity.id, `${name}: package mounted as the managed identity`);
      // The deployment account's blob endpoint (a deployment-time value), container app-package.
      assert.match(
        settings.WEBSITE_RUN_FROM_PACKAGE ?? '',
        /^\[format\('\{0\}\{1\}\/archiver\.zip', reference\('[^']*pkg', '[^']+'\)\.primaryEndpoints\.blob, 'app-package'\)\]$/,
        name,
      );
      assert.deepEqual(all(snapshot, 'Microsoft.EventGrid/systemTopics'), [], `${name}: no Event Grid on the Dedicated plan`);
    }
    const expectedHostSettings = [
      ...(clouds[cloud].appInsightsEntraAuth ? ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING'] : []),
      ...(clouds[cloud].flexConsumption ? [] : DEDICATED_HOST_SETTINGS),
    ];
    assert.deepEqual(hostSettings.sort(), expectedHostSettings.sort(), `${name}: settings besides the app's own`);
  });
});

describe('optional features', () => {
  forEachCombination('make archive-items, archive-attachments and archive-manifests write-once when a retention is given', (snapshot, { name }) => {
    const containers = all(snapshot, 'Microsoft.Storage/storageAccounts/blobServices/containers');
    const immutable = containers.filter((c) => get(c, 'properties.immutableStorageWithVersioning.enabled') === true).map((c) => c.name.split('/').pop());
    assert.deepEqual(immutable.sort(), ['archive-attachments', 'archive-items', 'archive-manifests'], name);
    const policies = all(snapshot, 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies');
    assert.deepEqual(policies.map((p) => p.name.split('/')[2]).sort(), ['archive-attachments', 'archive-items', 'archive-manifests'], name);
    for (const policy of policies) {
      assert.equal(get(policy, 'properties.immutabilityPeriodSinceCreationInDays'), 2557, name);
      assert.equal(get(policy, 'properties.allowProtectedAppendWrites'), false, name);
    }
  }, (c) => c.isolated);

  forEachCombination('leave every container mutable by default', (snapshot, { name }) => {
    assert.deepEqual(all(snapshot, 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies'), [], name);
  }, (c) => !c.isolated);

  forEachCombination('require Entra sign-in for everything but the blob webhook when the admin page is configured', (snapshot, { name }) => {
    const auth = all(snapshot, 'Microsoft.Web/sites/config').find((c) => c.name.endsWith('/authsettingsV2'));
    assert.ok(auth, name);
    assert.equal(get(auth, 'properties.globalValidation.requireAuthentication'), true, name);
    assert.equal(get(auth, 'properties.globalValidation.unauthenticatedClientAction'), 'Return401', name);
    assert.deepEqual(get(auth, 'properties.globalValidation.excludedPaths'), ['/runtime/webhooks/blobs'], name);
    assert.equal(get(auth, 'properties.identityProviders.azureActiveDirectory.registration.clientId'), '99999999-8888-4777-8666-555555555555', name);
    assert.match(String(get(auth, 'properties.identityProviders.azureActiveDirectory.registration.openIdIssuer')), /environment\(\)\.authentication\.loginEndpoint/, name);
  }, (c) => c.isolated);

  forEachCombination('configure no App Service Authentication by default', (snapshot, { name }) => {
    assert.ok(!all(snapshot, 'Microsoft.Web/sites/config').some((c) => c.name.endsWith('/authsettingsV2')), name);
  }, (c) => !c.isolated);

  forEachCombination('alert on poison messages, failures, stalls, unreconciled days and, on Flex, Event Grid dead letters and delivery failures', (snapshot, { name, cloud }) => {
    const logAlerts = all(snapshot, 'Microsoft.Insights/scheduledQueryRules').map((r) => r.name.replace(/^alert-tmarchiver-/, ''));
    assert.deepEqual(logAlerts.sort(), ['failed-items', 'poison-messages', 'stalled-connectors', 'unreconciled-days'], name);
    const unreconciled = all(snapshot, 'Microsoft.Insights/scheduledQueryRules').find((r) => r.name.endsWith('unreconciled-days'))!;
    assert.match(String(get(unreconciled, 'properties.criteria.allOf.0.query')), /name == "UnreconciledDays"/, name);
    const metricAlerts = all(snapshot, 'Microsoft.Insights/metricAlerts');
    if (clouds[cloud].flexConsumption) {
      const topic = all(snapshot, 'Microsoft.EventGrid/systemTopics').find((t) => !t.name.endsWith('-drop'))!;
      const topics = all(snapshot, 'Microsoft.EventGrid/systemTopics');
      assert.equal(topics.length, 2, `${name}: the items topic and the drop zone topic`);
      const label = (id: string): string => (id === topic.id ? 'items' : topics.some((t) => t.id === id) ? 'drop' : `unknown ${id}`);
      assert.deepEqual(
        metricAlerts.map((a) => `${label((get(a, 'properties.scopes') as string[])[0]!)} ${String(get(a, 'properties.criteria.allOf.0.metricName'))}`).sort(),
        ['drop DeadLetteredCount', 'drop DeliveryAttemptFailCount', 'items DeadLetteredCount', 'items DeliveryAttemptFailCount'],
        name,
      );
    } else {
      assert.deepEqual(metricAlerts, [], name);
    }
  }, (c) => c.isolated);
});

describe('SFTP drop zone', () => {
  forEachCombination('takes ZIPs over SFTP with an SSH key only into the container the trigger watches, a folder per connector, behind an address allow-list', (snapshot, { name, cloud }) => {
    const account = all(snapshot, 'Microsoft.Storage/storageAccounts').find(isDropZone);
    assert.ok(account, name);
    assert.equal(get(account, 'properties.isHnsEnabled'), true, `${name}: SFTP needs a hierarchical namespace`);
    assert.equal(get(account, 'properties.isSftpEnabled'), true, name);
    assert.equal(get(account, 'properties.isLocalUserEnabled'), true, name);
    assert.equal(get(account, 'properties.allowSharedKeyAccess'), false, name);
    assert.equal(get(account, 'properties.networkAcls.defaultAction'), 'Deny', name);
    assert.deepEqual(get(account, 'properties.networkAcls.ipRules'), [{ value: '198.51.100.0/28', action: 'Allow' }], name);

    const containers = all(snapshot, 'Microsoft.Storage/storageAccounts/blobServices/containers').filter(isDropZone);
    assert.deepEqual(containers.map((c) => c.name.split('/').pop()), [EML_DROP_CONTAINER], `${name}: the container importEmlDrop watches`);
    const users = all(snapshot, 'Microsoft.Storage/storageAccounts/localUsers');
    assert.equal(users.length, 1, name);
    const user = users[0]!;
    assert.equal(user.name.split('/').pop(), 'sftpattmain', name);
    assert.equal(get(user, 'properties.hasSshKey'), true, name);
    assert.equal(get(user, 'properties.hasSshPassword'), false, `${name}: no password sign-in`);
    assert.equal(get(user, 'properties.hasSharedKey'), false, `${name}: no shared key`);
    assert.equal(get(user, 'properties.homeDirectory'), emlDropFolder('att-main'), `${name}: lands in its connector's folder`);
    assert.deepEqual(get(user, 'properties.permissionScopes'), [{ service: 'blob', resourceName: EML_DROP_CONTAINER, permissions: 'cwl' }], `${name}: create, write and list; no read, no delete`);
    assert.equal((get(user, 'properties.sshAuthorizedKeys') as unknown[]).length, 1, name);

    const topics = all(snapshot, 'Microsoft.EventGrid/systemTopics').filter((t) => t.name.endsWith('-drop'));
    if (clouds[cloud].flexConsumption) {
      assert.equal(topics.length, 1, name);
      assert.equal(get(topics[0], 'properties.source'), account.id, `${name}: the drop topic publishes the drop account's events`);
    } else {
      assert.deepEqual(topics, [], `${name}: the Dedicated plan polls`);
    }
  }, (c) => c.isolated);

  forEachCombination('is not created without drop zone connectors', (snapshot, { name }) => {
    assert.ok(!all(snapshot, 'Microsoft.Storage/storageAccounts').some(isDropZone), name);
    assert.deepEqual(all(snapshot, 'Microsoft.Storage/storageAccounts/localUsers'), [], name);
  }, (c) => !c.isolated);
});
