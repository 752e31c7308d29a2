variable "name" {
  description = "Prefix for every resource's name."
  type        = string
  default     = "cronhook"
}

variable "region" {
  description = "DigitalOcean region of the VPC, the cluster, the registry and the database."
  type        = string
  default     = "fra1"
}

variable "vpc_ip_range" {
  description = "The VPC's private range. infra/k8s/base/network-policies.yaml names it as Redis's network: change both together."
  type        = string
  default     = "10.10.0.0/20"
}

variable "cluster_subnet" {
  description = "Pod network of the cluster (must not overlap the VPC)."
  type        = string
  default     = "10.244.0.0/16"
}

variable "service_subnet" {
  description = "Service network of the cluster (must not overlap the VPC)."
  type        = string
  default     = "10.245.0.0/16"
}

variable "kubernetes_version_prefix" {
  description = "Minor version of Kubernetes to run; the newest patch release of it is picked. 1.29 or newer (native sidecars)."
  type        = string
  default     = "1.33."
}

variable "ha_control_plane" {
  description = "Highly available control plane (recommended for production)."
  type        = bool
  default     = false
}

variable "node_size" {
  description = "Droplet size of the worker nodes."
  type        = string
  default     = "s-4vcpu-8gb"
}

variable "min_nodes" {
  description = "Fewest nodes the autoscaler keeps."
  type        = number
  default     = 2

  validation {
    condition     = var.min_nodes >= 1
    error_message = "min_nodes must be at least 1."
  }
}

variable "max_nodes" {
  description = "Most nodes the autoscaler adds."
  type        = number
  default     = 5

  validation {
    condition     = var.max_nodes >= var.min_nodes
    error_message = "max_nodes must be at least min_nodes."
  }
}

variable "registry_name" {
  description = "Name of the DigitalOcean container registry (globally unique; images are registry.digitalocean.com/<name>/...)."
  type        = string
  default     = "cronhook"
}

variable "registry_tier" {
  description = "Registry subscription tier: starter, basic or professional. Every script gets its own image: professional has no repository limit."
  type        = string
  default     = "professional"
}

variable "redis_size" {
  description = "Node size of the managed Valkey (Redis-compatible) cluster."
  type        = string
  default     = "db-s-1vcpu-2gb"
}

variable "redis_node_count" {
  description = "Valkey nodes: 1, or 2 for a standby that takes over on failure."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Extra tags for every taggable resource."
  type        = list(string)
  default     = []
}
