# What the cluster needs before `kubectl apply -k infra/k8s/<overlay>`: the namespace, registry
# credentials, the database's TLS material, and the app's generated secrets. Everything secret here
# (private keys, passwords, registry tokens) is in this root's state: keep it in an encrypted backend.

locals {
  registry_host = "registry.digitalocean.com"
  # "user:password" from the docker config DigitalOcean issues (the token is both)
  push_auth = split(":", base64decode(jsondecode(digitalocean_container_registry_docker_credentials.push.docker_credentials).auths[local.registry_host].auth))
  # every name the CockroachDB nodes answer to, inside the namespace and by full name
  cockroach_dns_names = [
    "localhost",
    "cockroachdb-public",
    "cockroachdb-public.${var.namespace}",
    "cockroachdb-public.${var.namespace}.svc.cluster.local",
    "*.cockroachdb",
    "*.cockroachdb.${var.namespace}",
    "*.cockroachdb.${var.namespace}.svc.cluster.local",
  ]
}

resource "kubernetes_namespace" "cronhook" {
  metadata {
    name = var.namespace
    labels = {
      # executor and try-out run a privileged Docker engine (see docs/deploy.md); everything else
      # would pass "restricted", and the warnings say which pods do not
      "pod-security.kubernetes.io/enforce" = "privileged"
      "pod-security.kubernetes.io/warn"    = "restricted"
    }
  }
}

# ---- registry ---------------------------------------------------------------------------------

# Read-only: image pulls of the app image (imagePullSecrets) and the script images (executor, try-out).
resource "digitalocean_container_registry_docker_credentials" "pull" {
  registry_name = var.registry_name
  write         = false
}

# Read-write: the builder pushes script images.
resource "digitalocean_container_registry_docker_credentials" "push" {
  registry_name = var.registry_name
  write         = true
}

resource "kubernetes_secret" "registry_pull" {
  metadata {
    name      = "cronhook-registry"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  type = "kubernetes.io/dockerconfigjson"
  data = {
    ".dockerconfigjson" = digitalocean_container_registry_docker_credentials.pull.docker_credentials
  }
}

resource "kubernetes_secret" "registry_push" {
  metadata {
    name      = "cronhook-builder-registry"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    CRONHOOK_BUILDER_REGISTRY_USERNAME = local.push_auth[0]
    CRONHOOK_BUILDER_REGISTRY_PASSWORD = local.push_auth[1]
  }
}

# ---- Redis (managed Valkey) -------------------------------------------------------------------

data "digitalocean_database_cluster" "redis" {
  name = var.redis_cluster_name
}

# One Redis user per role (infra/k8s/base/redis-acl/users.acl), each with a password of its own; the api pods'
# init container creates the users with the admin URL (docs/deploy.md: managed Valkey must accept ACL SETUSER).
locals {
  redis_roles = {
    api       = "API"
    scheduler = "SCHEDULER"
    builder   = "BUILDER"
    executor  = "EXECUTOR"
    "try-out" = "TRY_OUT"
  }
}

resource "random_password" "redis" {
  for_each = local.redis_roles
  length   = 40
  # used in a URL: letters and digits only
  special = false
}

# each role's URL under its own key: every Deployment takes only its own (as CRONHOOK_REDIS_URL)
resource "kubernetes_secret" "redis" {
  metadata {
    name      = "cronhook-redis"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    for role, key in local.redis_roles :
    "CRONHOOK_REDIS_URL_${key}" => "rediss://${role}:${random_password.redis[role].result}@${data.digitalocean_database_cluster.redis.private_host}:${data.digitalocean_database_cluster.redis.port}"
  }
}

# the admin URL and the roles' passwords, for the init container that applies users.acl (api pods only)
resource "kubernetes_secret" "redis_admin" {
  metadata {
    name      = "cronhook-redis-admin"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = merge(
    { CRONHOOK_REDIS_ADMIN_URL = data.digitalocean_database_cluster.redis.private_uri },
    { for role, key in local.redis_roles : "CRONHOOK_REDIS_PASSWORD_${key}" => random_password.redis[role].result },
  )
}

# ---- the app's own secrets (api and scheduler only) -------------------------------------------

resource "random_password" "db" {
  length  = 32
  special = false # it is spliced into SQL by the init Job
}

resource "random_password" "admin" {
  length  = 24
  special = false
}

# key of the built-in secret store (AES-256-GCM): 32 random bytes, base64
resource "random_id" "secret_key" {
  byte_length = 32
}

resource "kubernetes_secret" "db" {
  metadata {
    name      = "cronhook-db"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    CRONHOOK_DB_URL      = "jdbc:postgresql://cockroachdb-public:26257/cronhook?sslmode=verify-full&sslrootcert=/etc/cronhook/db/ca.crt"
    CRONHOOK_DB_USERNAME = var.db_username
    CRONHOOK_DB_PASSWORD = random_password.db.result
  }
}

resource "kubernetes_secret" "app" {
  metadata {
    name      = "cronhook-app"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    CRONHOOK_ADMIN_PASSWORD = random_password.admin.result
    CRONHOOK_SECRET_KEY     = random_id.secret_key.b64_std
  }
}

# the workers' own credential on the api's internal endpoints (api, executor, try-out)
resource "random_password" "internal" {
  length  = 48
  special = false
}

resource "kubernetes_secret" "internal" {
  metadata {
    name      = "cronhook-internal"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    CRONHOOK_INTERNAL_TOKEN = random_password.internal.result
  }
}

# ---- CockroachDB TLS (secure mode) ------------------------------------------------------------

resource "tls_private_key" "cockroach_ca" {
  algorithm = "RSA"
  rsa_bits  = 4096
}

resource "tls_self_signed_cert" "cockroach_ca" {
  private_key_pem       = tls_private_key.cockroach_ca.private_key_pem
  is_ca_certificate     = true
  validity_period_hours = var.certificate_validity_hours * 2

  subject {
    common_name  = "Cronhook CockroachDB CA"
    organization = "Cockroach"
  }

  allowed_uses = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]
}

resource "tls_private_key" "cockroach_node" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_cert_request" "cockroach_node" {
  private_key_pem = tls_private_key.cockroach_node.private_key_pem
  dns_names       = local.cockroach_dns_names
  ip_addresses    = ["127.0.0.1"]

  subject {
    common_name  = "node"
    organization = "Cockroach"
  }
}

resource "tls_locally_signed_cert" "cockroach_node" {
  cert_request_pem      = tls_cert_request.cockroach_node.cert_request_pem
  ca_private_key_pem    = tls_private_key.cockroach_ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.cockroach_ca.cert_pem
  validity_period_hours = var.certificate_validity_hours

  # a node is a server to clients and a client to its peers
  allowed_uses = ["digital_signature", "key_encipherment", "server_auth", "client_auth"]
}

resource "tls_private_key" "cockroach_root" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_cert_request" "cockroach_root" {
  private_key_pem = tls_private_key.cockroach_root.private_key_pem

  subject {
    common_name  = "root"
    organization = "Cockroach"
  }
}

resource "tls_locally_signed_cert" "cockroach_root" {
  cert_request_pem      = tls_cert_request.cockroach_root.cert_request_pem
  ca_private_key_pem    = tls_private_key.cockroach_ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.cockroach_ca.cert_pem
  validity_period_hours = var.certificate_validity_hours

  allowed_uses = ["digital_signature", "key_encipherment", "client_auth"]
}

# the CA certificate alone (public): the nodes, the init Job, and the app's sslrootcert
resource "kubernetes_secret" "cockroach_ca" {
  metadata {
    name      = "cockroachdb-ca"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    "ca.crt" = tls_self_signed_cert.cockroach_ca.cert_pem
  }
}

resource "kubernetes_secret" "cockroach_node" {
  metadata {
    name      = "cockroachdb-node"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    "node.crt" = tls_locally_signed_cert.cockroach_node.cert_pem
    "node.key" = tls_private_key.cockroach_node.private_key_pem
  }
}

# root's client certificate: only the init Job mounts it
resource "kubernetes_secret" "cockroach_root" {
  metadata {
    name      = "cockroachdb-root"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    "client.root.crt" = tls_locally_signed_cert.cockroach_root.cert_pem
    "client.root.key" = tls_private_key.cockroach_root.private_key_pem
  }
}

# the license key, when one is given; the init Job sets it as a cluster setting
resource "kubernetes_secret" "cockroach_license" {
  count = var.cockroach_license_key == "" ? 0 : 1

  metadata {
    name      = "cockroachdb-license"
    namespace = kubernetes_namespace.cronhook.metadata[0].name
  }
  data = {
    organization = var.cockroach_organization
    license      = var.cockroach_license_key
  }
}
