output "vpc_id" {
  description = "The VPC holding the nodes and Valkey."
  value       = digitalocean_vpc.cronhook.id
}

output "cluster_id" {
  description = "DOKS cluster id."
  value       = digitalocean_kubernetes_cluster.cronhook.id
}

output "cluster_name" {
  description = "DOKS cluster name, for `doctl kubernetes cluster kubeconfig save`."
  value       = digitalocean_kubernetes_cluster.cronhook.name
}

output "cluster_endpoint" {
  description = "The Kubernetes API endpoint."
  value       = digitalocean_kubernetes_cluster.cronhook.endpoint
}

output "kubeconfig_command" {
  description = "Writes a kubeconfig context for the cluster."
  value       = "doctl kubernetes cluster kubeconfig save ${digitalocean_kubernetes_cluster.cronhook.name}"
}

output "registry_name" {
  description = "Container registry name (input of infra/terraform/cluster-secrets)."
  value       = digitalocean_container_registry.cronhook.name
}

output "registry_endpoint" {
  description = "Push the app image to <registry_endpoint>/cronhook; CRONHOOK_REGISTRY / CRONHOOK_BUILDER_REGISTRY."
  value       = digitalocean_container_registry.cronhook.endpoint
}

output "redis_cluster_name" {
  description = "Managed Valkey cluster name (input of infra/terraform/cluster-secrets)."
  value       = digitalocean_database_cluster.redis.name
}

output "redis_private_host" {
  description = "Valkey's host inside the VPC."
  value       = digitalocean_database_cluster.redis.private_host
}

output "redis_private_uri" {
  description = "rediss:// URI inside the VPC (CRONHOOK_REDIS_URL)."
  value       = digitalocean_database_cluster.redis.private_uri
  sensitive   = true
}
