variable "kubeconfig_path" {
  description = "kubeconfig holding the cluster's context."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "Context of the Cronhook cluster in the kubeconfig (doctl names it do-<region>-<cluster>)."
  type        = string
}

variable "namespace" {
  description = "Namespace Cronhook runs in (the kustomize base says cronhook)."
  type        = string
  default     = "cronhook"
}

variable "registry_name" {
  description = "The container registry (output registry_name of infra/terraform/digitalocean)."
  type        = string
  default     = "cronhook"
}

variable "redis_cluster_name" {
  description = "The managed Valkey cluster (output redis_cluster_name of infra/terraform/digitalocean)."
  type        = string
  default     = "cronhook-valkey"
}

variable "db_username" {
  description = "CockroachDB user the app connects as."
  type        = string
  default     = "cronhook"
}

variable "certificate_validity_hours" {
  description = "Lifetime of the CockroachDB node and client certificates (the CA lives twice as long)."
  type        = number
  default     = 43800 # 5 years
}

variable "cockroach_organization" {
  description = "Organization name of the CockroachDB license (cluster.organization)."
  type        = string
  default     = ""
}

variable "cockroach_license_key" {
  description = "CockroachDB license key (Enterprise Free, Trial or paid). A cluster of more than one node is throttled after a 7-day grace period without one; a single node needs none."
  type        = string
  default     = ""
  sensitive   = true
}
