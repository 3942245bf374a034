import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppSettings, DEFAULT_SCHEDULE } from '../../shared/platform/settings/app-settings';
import { loadAppConfig } from '../../shared/platform/settings/app-config';
import { Containers, Queues, Tables } from '../../shared/platform/storage/storage-names';
import { tokenExchangeAudience } from '../../shared/graph/graph-credential';
import { EML_DROP_CONTAINER } from '../../shared/eml-drop/drop-zone';
import {
  BicepFile,
  BicepValue,
  allowedStrings,
  diffNames,
  findRepoRoot,
  parseObjectVariable,
  readBicepFiles,
  stringParameterDefault,
  stringVariable,
  stripLineComment,
  toStringTree,
} from './bicep-source';

/**
 * Keeps infra/ and the code in step: the function app gets exactly the settings the
 * configuration loader reads in Azure (plus the few the Functions host itself reads), with
 * values the loader accepts in every cloud; storage names, the blob-trigger wiring and the
 * cloud table match what the code expects.
 */

/**
 * Settings the app reads only outside Azure: a storage connection string, a client secret, the
 * simulator token, and the admin page's local sign-in (which infra/ must never set: the test
 * below fails on any setting of the Bicep that is not expected).
 */
const LOCAL_ONLY = new Set<string>([AppSettings.storage, AppSettings.dropZoneStorage, AppSettings.graphClientSecret, AppSettings.graphDevToken, AppSettings.adminWebLocalSignIn]);

/** Settings a Flex Consumption app must not carry, or that would need a shared key. */
const FORBIDDEN_ON_FLEX = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
];

/**
 * The Dedicated plan (where Flex Consumption is not offered) needs the first three, in the
 * function app's `hostSettings` only; the rest need a shared key or a build on the server and
 * appear nowhere. test/infra/posture.test.ts checks the compiled settings per plan.
 */
const DEDICATED_ONLY = new Set(['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE']);

/** Graph and sign-in hosts per cloud, from shared/graph/README.md ("National clouds"). */
const GRAPH_CLOUDS: Record<string, { graph: string; login: string }> = {
  AzureCloud: { graph: 'graph.microsoft.com', login: 'login.microsoftonline.com' },
  AzureUSGovernment: { graph: 'graph.microsoft.us', login: 'login.microsoftonline.us' },
  AzureUSGovernmentL5: { graph: 'dod-graph.microsoft.us', login: 'login.microsoftonline.us' },
  AzureChinaCloud: { graph: 'microsoftgraph.chinacloudapi.cn', login: 'login.chinacloudapi.cn' },
};

const IDENTITY_CLIENT_ID = '6f1d2c3b-4a59-4e8d-9c7b-0a1b2c3d4e5f';

/** Deployment-time values for settings whose Bicep value is an expression. */
const PLAUSIBLE_VALUES: Record<string, string> = {
  AzureWebJobsStorage__accountName: 'stq4k2xw7yl3ab6data',
  AzureWebJobsStorage__clientId: IDENTITY_CLIENT_ID,
  AzureWebJobsStorage__blobServiceUri: 'https://stq4k2xw7yl3ab6data.blob.core.usgovcloudapi.net/',
  AzureWebJobsStorage__queueServiceUri: 'https://stq4k2xw7yl3ab6data.queue.core.usgovcloudapi.net/',
  AzureWebJobsStorage__tableServiceUri: 'https://stq4k2xw7yl3ab6data.table.core.usgovcloudapi.net/',
  DropZoneStorage__blobServiceUri: 'https://stq4k2xw7yl3ab6drop.blob.core.usgovcloudapi.net/',
  DropZoneStorage__queueServiceUri: 'https://stq4k2xw7yl3ab6drop.queue.core.usgovcloudapi.net/',
  DropZoneStorage__clientId: IDENTITY_CLIENT_ID,
  ARCHIVER_SCHEDULE: DEFAULT_SCHEDULE,
  ARCHIVER_SETTLING_MINUTES: '5',
  ARCHIVER_CLAIM_LEASE_SECONDS: '60',
  ARCHIVER_RECONCILE_AFTER_HOURS: '6',
  ARCHIVER_MANIFEST_SIGNING_KEY_ID: 'https://kv-archiver.vault.azure.net/keys/manifest-signing',
  GRAPH_TENANT_ID: '0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9',
  GRAPH_CLIENT_ID: '11112222-3333-4444-8555-666677778888',
  AZURE_CLIENT_ID: IDENTITY_CLIENT_ID,
  KEY_VAULT_URI: 'https://kv-q4k2xw7yl3ab6.vault.usgovcloudapi.net/',
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    'InstrumentationKey=00000000-1111-4222-8333-444444444444;IngestionEndpoint=https://usgovvirginia-1.in.applicationinsights.azure.us/',
};

interface CloudEndpoints {
  graphEndpoint: string;
  authorityHost: string;
  tokenExchangeAudience: string;
  /** Flex Consumption is offered (Event Grid blob trigger); else the Dedicated plan polls. */
  flexConsumption: boolean;
}

let repoRoot: string;
let files: BicepFile[];
let mainFile: BicepFile;
let functionAppFile: BicepFile;
let appSettings: Map<string, BicepValue>;
let clouds: Record<string, CloudEndpoints>;

function file(relativePath: string): BicepFile {
  const found = files.find((f) => f.relativePath === relativePath);
  if (!found) throw new Error(`${relativePath} is missing`);
  return found;
}

function withoutComments(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => stripLineComment(l))
    .join('\n');
}

function expression(name: string): string {
  const value = appSettings.get(name);
  assert.ok(value, `the function app has no ${name} setting`);
  assert.equal(value.kind, 'expression', `${name} should be computed, not a literal`);
  return value.kind === 'expression' ? value.text : '';
}

/** The app settings as the function app would see them, for one cloud. */
function deployedEnvironment(cloud: CloudEndpoints): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of appSettings) {
    if (value.kind === 'string') env[name] = value.value;
    else if (name === AppSettings.graphEndpoint) env[name] = cloud.graphEndpoint;
    else if (name === AppSettings.graphAuthorityHost) env[name] = cloud.authorityHost;
    else if (name === AppSettings.blobTriggerSource) env[name] = cloud.flexConsumption ? 'EventGrid' : 'LogsAndContainerScan';
    else if (name in PLAUSIBLE_VALUES) env[name] = PLAUSIBLE_VALUES[name]!;
    else assert.fail(`${name} is computed in Bicep but this test has no plausible value for it; add one to PLAUSIBLE_VALUES`);
  }
  return env;
}

before(async () => {
  repoRoot = findRepoRoot(__dirname);
  files = await readBicepFiles(repoRoot);
  mainFile = file('infra/main.bicep');
  functionAppFile = file('infra/modules/function-app.bicep');
  appSettings = parseObjectVariable(functionAppFile, 'appSettings');
  clouds = JSON.parse(await readFile(path.join(repoRoot, 'infra', 'national-clouds.json'), 'utf8')) as Record<string, CloudEndpoints>;
});

describe('function app settings in infra/', () => {
  test('are exactly the settings the loader reads in Azure', () => {
    const expected = Object.values(AppSettings).filter((n) => !LOCAL_ONLY.has(n));
    const { missing, unexpected } = diffNames(appSettings.keys(), expected);
    assert.deepEqual(
      { missing, unexpected },
      { missing: [], unexpected: [] },
      'infra/modules/function-app.bicep (var appSettings) and shared/platform/settings/app-settings.ts disagree',
    );
  });

  test('come from one place: the appsettings config resource of the function app', () => {
    const configResources = files.flatMap((f) =>
      [...withoutComments(f.text).matchAll(/^resource\s+\w+\s+'Microsoft\.Web\/sites\/config@[^']+'[^\n]*\{\s*\n\s*parent: site\s*\n\s*name: '(\w+)'/gm)].map(
        (m) => `${f.relativePath} ${m[1]}`,
      ),
    );
    assert.deepEqual(configResources, ['infra/modules/function-app.bicep appsettings', 'infra/modules/function-app.bicep authsettingsV2']);
    assert.match(withoutComments(functionAppFile.text), /name: 'appsettings'\s+properties: union\(appSettings, hostSettings\)\s*\n\}/);
    for (const f of files) {
      assert.doesNotMatch(withoutComments(f.text), /^\s*appSettings\s*:/m, `${f.relativePath} sets siteConfig.appSettings`);
    }
  });

  test('include nothing the Flex Consumption plan rejects and no storage connection string', () => {
    for (const name of [...FORBIDDEN_ON_FLEX, AppSettings.storage]) {
      assert.equal(appSettings.has(name), false, `${name} must not be an app setting`);
    }
    for (const f of files) {
      for (const name of FORBIDDEN_ON_FLEX) {
        const code = withoutComments(f.text);
        if (DEDICATED_ONLY.has(name) && f === functionAppFile) {
          // Only inside `flexConsumption ? {} : { ... }` of hostSettings.
          const dedicated = /var hostSettings = union\([\s\S]*?flexConsumption\s*\?\s*\{\}\s*:\s*\{([\s\S]*?)\}\s*\)/.exec(code);
          assert.ok(dedicated, 'function-app.bicep: hostSettings has a Dedicated-only branch');
          assert.equal(code.split(name).length - 1, dedicated[1]!.split(name).length - 1, `${name} outside the Dedicated-only settings`);
        } else {
          assert.ok(!code.includes(name), `${f.relativePath} mentions ${name} outside a comment`);
        }
      }
    }
  });

  test('use the one user-assigned identity for storage, Graph federation and telemetry', () => {
    assert.equal(expression(AppSettings.managedIdentityClientId), 'identityClientId');
    assert.equal(expression(AppSettings.storageClientId), 'identityClientId');
    assert.ok(
      withoutComments(functionAppFile.text).includes("APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'"),
      'telemetry authenticates as the identity',
    );
    assert.deepEqual(appSettings.get(AppSettings.storageCredential), { kind: 'string', value: 'managedidentity' });
    assert.equal(expression(AppSettings.dropZoneClientId), 'identityClientId');
    assert.deepEqual(appSettings.get(AppSettings.dropZoneCredential), { kind: 'string', value: 'managedidentity' });
    assert.equal(expression(AppSettings.dropZoneBlobServiceUri), 'dropZoneBlobEndpoint');
    assert.equal(expression(AppSettings.dropZoneQueueServiceUri), 'dropZoneQueueEndpoint');
    assert.equal(expression(AppSettings.blobTriggerSource), "flexConsumption ? 'EventGrid' : 'LogsAndContainerScan'");
  });

  test('load in every cloud, with managed-identity storage and Graph federation', () => {
    assert.deepEqual(Object.keys(clouds).sort(), allowedStrings(mainFile, 'cloud').sort(), 'main.bicep @allowed cloud list vs national-clouds.json');
    assert.deepEqual(Object.keys(clouds).sort(), Object.keys(GRAPH_CLOUDS).sort());

    for (const [name, cloud] of Object.entries(clouds)) {
      const hosts = GRAPH_CLOUDS[name]!;
      assert.equal(cloud.graphEndpoint, `https://${hosts.graph}/v1.0`, `${name}: GRAPH_ENDPOINT includes the /v1.0 segment`);
      assert.equal(cloud.authorityHost, `https://${hosts.login}`, `${name}: GRAPH_AUTHORITY_HOST`);
      assert.equal(cloud.tokenExchangeAudience, tokenExchangeAudience(cloud.authorityHost), `${name}: federated credential audience`);

      const config = loadAppConfig(deployedEnvironment(cloud));
      assert.deepEqual(
        config.storage,
        {
          kind: 'managed-identity',
          accountName: PLAUSIBLE_VALUES.AzureWebJobsStorage__accountName,
          clientId: IDENTITY_CLIENT_ID,
          serviceUris: {
            blob: PLAUSIBLE_VALUES.AzureWebJobsStorage__blobServiceUri,
            queue: PLAUSIBLE_VALUES.AzureWebJobsStorage__queueServiceUri,
            table: PLAUSIBLE_VALUES.AzureWebJobsStorage__tableServiceUri,
          },
        },
        name,
      );
      assert.deepEqual(
        config.dropZone.storage,
        {
          kind: 'managed-identity',
          blobServiceUri: PLAUSIBLE_VALUES.DropZoneStorage__blobServiceUri,
          queueServiceUri: PLAUSIBLE_VALUES.DropZoneStorage__queueServiceUri,
          clientId: IDENTITY_CLIENT_ID,
        },
        name,
      );
      assert.deepEqual(config.graph.auth, { kind: 'managed-identity-federation', managedIdentityClientId: IDENTITY_CLIENT_ID }, name);
      assert.equal(config.graph.endpoint, cloud.graphEndpoint, name);
      assert.equal(config.graph.authorityHost, cloud.authorityHost, name);
      assert.equal(config.blobTriggerSource, cloud.flexConsumption ? 'EventGrid' : 'LogsAndContainerScan', name);
      assert.deepEqual(config.secrets, { kind: 'key-vault', vaultUri: PLAUSIBLE_VALUES.KEY_VAULT_URI }, name);
    }
  });

  test('default to the schedule the loader defaults to', () => {
    assert.equal(stringParameterDefault(mainFile, 'schedule'), DEFAULT_SCHEDULE);
    assert.equal(expression(AppSettings.schedule), 'schedule');
  });
});

describe('storage and trigger wiring in infra/', () => {
  test('creates the containers, queues and tables the code uses, under the same keys', () => {
    const storageNames = toStringTree(parseObjectVariable(mainFile, 'storageNames'), 'storageNames');
    assert.deepEqual(storageNames, { containers: { ...Containers }, queues: { ...Queues }, tables: { ...Tables } });
    const main = withoutComments(mainFile.text);
    for (const [param, group] of [
      ['containerNames', 'containers'],
      ['queueNames', 'queues'],
      ['tableNames', 'tables'],
    ] as const) {
      assert.match(main, new RegExp(String.raw`${param}: (concat\()?map\(items\(storageNames\.${group}\)`), `${param} comes from storageNames.${group}`);
    }
  });

  test('subscribes the importItem blob trigger to BlobCreated in the items container', () => {
    const subscriptionFile = file('infra/modules/event-subscription.bicep');
    assert.equal(stringParameterDefault(subscriptionFile, 'functionName'), 'importItem');
    assert.equal(stringParameterDefault(subscriptionFile, 'containerName'), Containers.items);
    assert.equal(stringParameterDefault(subscriptionFile, 'deadLetterContainerName'), stringVariable(mainFile, 'deadLetterContainerName'));
    const subscription = withoutComments(subscriptionFile.text);
    assert.ok(subscription.includes('/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${blobsExtensionKey}'));
    assert.ok(subscription.includes("param subjectBeginsWith string = '/blobServices/default/containers/${containerName}/'"));
    assert.ok(subscription.includes('subjectBeginsWith: subjectBeginsWith'));
    assert.ok(subscription.includes("'Microsoft.Storage.BlobCreated'"));
  });

  test('subscribes the drop zone to importEmlDrop, the function that exists, on the container it watches', async () => {
    const functionFile = await readFile(path.join(repoRoot, 'functions', 'import-eml-drop.ts'), 'utf8');
    const registered = /app\.storageBlob\('(\w+)'/.exec(functionFile)?.[1];
    assert.equal(registered, 'importEmlDrop');
    assert.match(functionFile, /path: `\$\{EML_DROP_CONTAINER\}\/\{name\}`/);
    assert.match(functionFile, /connection: registeredDropZoneConnection\(\)/, 'the trigger reads the drop zone through its own connection');
    const hook = await readFile(path.join(repoRoot, 'infra', 'hooks', 'connect-event-grid.sh'), 'utf8');
    assert.equal(/^readonly drop_function='(\w+)'$/m.exec(hook)?.[1], registered, 'connect-event-grid.sh names the drop function');
    assert.match(hook, new RegExp(`functionName="\\$drop_function" containerName=${EML_DROP_CONTAINER} `), 'and its container');
    const dropZone = file('infra/modules/drop-zone.bicep');
    assert.equal(stringParameterDefault(dropZone, 'containerName'), EML_DROP_CONTAINER);
    assert.ok(withoutComments(dropZone.text).includes("homeDirectory: '${container.name}/${connector.connectorId}'"), 'each local user lands in eml-drop/<connectorId>');
  });

  test('grants the identity exactly the six data roles, and with the admin web page Key Vault Secrets Officer, by built-in role ID', () => {
    const roles = toStringTree(parseObjectVariable(file('infra/modules/role-assignments.bicep'), 'roleIds'), 'roleIds');
    assert.deepEqual(roles, {
      storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
      storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
      keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
      monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
    });
    assert.match(withoutComments(file('infra/modules/role-assignments.bicep').text), /resource keyVaultSecretsOfficer '[^']+' = if \(adminWebEnabled\)/);
    const text = withoutComments(file('infra/modules/role-assignments.bicep').text);
    const assignments = [...text.matchAll(/roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roleIds\.(\w+)\)/g)].map((m) => m[1]);
    assert.deepEqual(assignments.sort(), Object.keys(roles).sort(), 'one assignment per role');
  });
});

describe('local.settings.sample.json', () => {
  let values: Record<string, string>;
  before(async () => {
    const sample = JSON.parse(await readFile(path.join(repoRoot, 'local.settings.sample.json'), 'utf8')) as { Values?: Record<string, string> };
    assert.ok(sample.Values, 'local.settings.sample.json has no Values');
    values = sample.Values;
  });

  test('holds only settings the loader knows, FUNCTIONS_WORKER_RUNTIME and SECRET_* credentials', () => {
    const known = new Set<string>([...Object.values(AppSettings), 'FUNCTIONS_WORKER_RUNTIME']);
    const unknown = Object.keys(values).filter((n) => !known.has(n) && !/^SECRET_[A-Z0-9_]+$/.test(n));
    assert.deepEqual(unknown, []);
    assert.equal(values.FUNCTIONS_WORKER_RUNTIME, 'node');
  });

  test('loads locally with a storage connection string', () => {
    const config = loadAppConfig(values);
    assert.equal(config.storage.kind, 'connection-string');
  });
});
