locals {
  tags     = concat(["cronhook"], var.tags)
  node_tag = "${var.name}-node"
}

resource "digitalocean_vpc" "cronhook" {
  name        = "${var.name}-vpc"
  region      = var.region
  ip_range    = var.vpc_ip_range
  description = "Cronhook: the Kubernetes nodes and the managed Valkey"
}

data "digitalocean_kubernetes_versions" "selected" {
  version_prefix = var.kubernetes_version_prefix
}

resource "digitalocean_kubernetes_cluster" "cronhook" {
  name           = var.name
  region         = var.region
  version        = data.digitalocean_kubernetes_versions.selected.latest_version
  vpc_uuid       = digitalocean_vpc.cronhook.id
  cluster_subnet = var.cluster_subnet
  service_subnet = var.service_subnet
  ha             = var.ha_control_plane
  auto_upgrade   = true
  # lets the nodes pull from the registry (DOKS adds a pull secret in every namespace); the app's own
  # pods use the namespaced cronhook-registry secret from infra/terraform/cluster-secrets
  registry_integration = true
  surge_upgrade        = true
  tags                 = local.tags

  maintenance_policy {
    day        = "sunday"
    start_time = "03:00"
  }

  # One autoscaling pool: the cluster autoscaler adds nodes when pods (executors above all) do not fit.
  node_pool {
    name       = "${var.name}-workers"
    size       = var.node_size
    auto_scale = true
    min_nodes  = var.min_nodes
    max_nodes  = var.max_nodes
    tags       = [local.node_tag]
    labels = {
      "cronhook.dev/pool" = "workers"
    }
  }

  lifecycle {
    # auto_upgrade moves the patch version on its own
    ignore_changes = [version]
  }

  depends_on = [digitalocean_container_registry.cronhook]
}

resource "digitalocean_container_registry" "cronhook" {
  name                   = var.registry_name
  subscription_tier_slug = var.registry_tier
  region                 = var.region
}

# Managed Valkey (Redis-compatible): the build, run and result streams. TLS only (rediss://, port 25061),
# reachable over the VPC.
resource "digitalocean_database_cluster" "redis" {
  name                 = "${var.name}-valkey"
  engine               = "valkey"
  version              = "8"
  size                 = var.redis_size
  region               = var.region
  node_count           = var.redis_node_count
  private_network_uuid = digitalocean_vpc.cronhook.id
  tags                 = local.tags

  maintenance_window {
    day  = "sunday"
    hour = "04:00:00"
  }
}

# The queues are the work itself: never evict a key to make room.
resource "digitalocean_database_valkey_config" "redis" {
  cluster_id              = digitalocean_database_cluster.redis.id
  valkey_maxmemory_policy = "noeviction"
}

# Only the cluster's nodes may connect to Valkey.
resource "digitalocean_database_firewall" "redis" {
  cluster_id = digitalocean_database_cluster.redis.id

  rule {
    type  = "k8s"
    value = digitalocean_kubernetes_cluster.cronhook.id
  }
}

# Cloud firewall for the worker nodes, on top of the one DOKS manages itself: nothing from the
# internet reaches a node directly (the ingress controller's load balancer forwards over the VPC),
# and scripts may call out anywhere.
resource "digitalocean_firewall" "nodes" {
  name = "${var.name}-nodes"
  tags = [local.node_tag]

  inbound_rule {
    protocol         = "tcp"
    port_range       = "1-65535"
    source_addresses = [var.vpc_ip_range]
  }

  inbound_rule {
    protocol         = "udp"
    port_range       = "1-65535"
    source_addresses = [var.vpc_ip_range]
  }

  inbound_rule {
    protocol         = "icmp"
    source_addresses = [var.vpc_ip_range]
  }

  outbound_rule {
    protocol              = "tcp"
    port_range            = "1-65535"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }

  outbound_rule {
    protocol              = "udp"
    port_range            = "1-65535"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }

  outbound_rule {
    protocol              = "icmp"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }

  depends_on = [digitalocean_kubernetes_cluster.cronhook]
}
